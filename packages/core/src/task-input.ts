/** What `registerTask` accepts, and the context a task function is handed. */
import * as z from "zod";
import { optionalFields, parseOrThrow, ValidationError, withFastPath } from "./errors.js";
import type { TaskInfo, TaskProgress, TaskProgressUpdate } from "./models.js";
import { promiseFrom } from "./soon.js";

/** Handed to a task function: its abort signal and a way to report progress. */
export interface TaskContext {
  readonly refId: string;
  /** This run's fencing token. */
  readonly runId: string;
  /** Aborted when the task is cancelled (from any instance), finished from outside, or the cache closes. */
  readonly signal: AbortSignal;
  /**
   * Records progress. Resolves to the new TaskInfo, or to `undefined` once the task has finished, was
   * cancelled or replaced by a newer run (check `signal`). Rejects with a ValidationError on bad progress.
   */
  reportProgress(update: TaskProgressUpdate): Promise<TaskInfo | undefined>;
}

/** Work the cache starts itself, with a signal to stop it and a way to report progress. */
export type TaskFunction = (context: TaskContext) => unknown;

/** Work already running elsewhere, with the means to stop it. */
export interface TaskHandle {
  /** Settles when the work does: fulfilment completes the task with its value, rejection fails it. */
  promise?: PromiseLike<unknown>;
  /** Aborted on cancellation (and when the task is finished from outside). */
  abortController?: AbortController;
  /** Called on cancellation, after the status is already `cancelled`. */
  cancel?: (reason: unknown) => unknown;
}

/** What `registerTask` accepts: a promise, a handle, or a function the cache starts. */
export type TaskInput = PromiseLike<unknown> | TaskHandle | TaskFunction;

/**
 * Computes a progress update from the current progress. It may return the progress it was given with
 * fields changed: the derived `percentage` is dropped and recomputed.
 */
export type ProgressUpdater = (
  current: TaskProgress | undefined,
) => TaskProgressUpdate | TaskProgress | PromiseLike<TaskProgressUpdate | TaskProgress>;

/** Whether `v` is a thenable. Reading `then` may run a getter: one that throws makes the answer "no". */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  try {
    return (
      (typeof v === "object" || typeof v === "function") &&
      v !== null &&
      typeof (v as { then?: unknown }).then === "function"
    );
  } catch {
    return false;
  }
}

const isFunction = (v: unknown): boolean => typeof v === "function";

const TaskHandleSchema = withFastPath(
  z.strictObject({
    promise: z.custom<PromiseLike<unknown>>(isThenable, "promise must be a Promise or thenable").optional(),
    abortController: z
      .instanceof(AbortController, { message: "abortController must be an AbortController" })
      .optional(),
    cancel: z.custom<(reason: unknown) => unknown>(isFunction, "cancel must be a function").optional(),
  }),
  optionalFields({
    promise: isThenable,
    abortController: (v) => v instanceof AbortController,
    cancel: isFunction,
  }),
);

/**
 * Calls a task function with its context; a synchronous throw becomes a rejection. Its progress goes
 * through `report` (an update of this run); a refusal other than bad progress (the task finished, was
 * cancelled or replaced, the cache closed) resolves to `undefined`: the signal tells the work.
 */
export function callTaskFunction(
  fn: TaskFunction,
  run: { refId: string; runId: string },
  signal: AbortSignal,
  report: (update: TaskProgressUpdate) => Promise<TaskInfo>,
): PromiseLike<unknown> {
  const context: TaskContext = {
    refId: run.refId,
    runId: run.runId,
    signal,
    reportProgress: async (update) => {
      try {
        return await report(update);
      } catch (error) {
        if (error instanceof ValidationError) throw error;
        return undefined;
      }
    },
  };
  return promiseFrom(() => fn(context));
}

export type ParsedTaskInput =
  | { kind: "promise"; promise: PromiseLike<unknown> }
  | { kind: "function"; fn: TaskFunction }
  | { kind: "handle"; handle: TaskHandle };

export function parseTaskInput(task: unknown, refId: string): ParsedTaskInput {
  if (typeof task === "function") return { kind: "function", fn: task as TaskFunction };
  try {
    if (typeof task === "object" && task !== null) void (task as { then?: unknown }).then;
  } catch {
    throw ValidationError.single("task", "the task could not be read (its then getter threw)", "custom", refId);
  }
  if (isThenable(task)) return { kind: "promise", promise: task };
  try {
    const handle = parseOrThrow(
      TaskHandleSchema,
      task,
      "task (expected a Promise, a task function or a handle)",
      refId,
    );
    return { kind: "handle", handle };
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    // A getter or proxy that throws while the handle is read.
    throw ValidationError.single("task", "the task handle could not be read", "custom", refId);
  }
}
