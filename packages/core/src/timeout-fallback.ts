/**
 * The piece every adapter needs: run work as a task, wait a little for it, and hand back either its
 * value or a reference to poll while the work goes on.
 */
import * as z from "zod";
import { TaskNotCompletedError, ValidationError } from "./errors.js";
import { MAX_TIMER_MS, OwnerSchema, RefIdSchema, type TaskInfo, TtlSchema } from "./models.js";
import { parseOrThrow } from "./parse.js";
import type { RefCache } from "./ref-cache.js";
import type { TaskContext } from "./task-input.js";

export const TimeoutFallbackOptionsSchema = z.strictObject({
  /** How long the caller waits for the work before it gets a pending reference instead (ms). */
  timeoutMs: z.number().int().nonnegative().max(MAX_TIMER_MS),
  /** The ref id to track the work under; defaults to `cache.newRefId()`. */
  refId: RefIdSchema.optional(),
  /** Time to live of the result in the cache (ms); defaults to the cache's `defaultTtlMs`. */
  ttlMs: TtlSchema.optional(),
  /** Who the task and its result belong to. */
  owner: OwnerSchema.optional(),
  /** Store the result execute-only (see `SetOptions.executeOnly`). */
  executeOnly: z.boolean().optional(),
});
export type TimeoutFallbackOptions = z.input<typeof TimeoutFallbackOptionsSchema>;

/** Either the value, when the work finished (and was stored) in time, or a reference to poll. */
export type TimeoutFallbackResult<T> =
  | { status: "complete"; refId: string; value: T; task: TaskInfo }
  | { status: "pending"; refId: string; task: TaskInfo };

/**
 * Runs `work` as a task of `cache` and waits up to `timeoutMs` for it.
 *
 * - Finished and stored in time: `{ status: "complete", value, task }`.
 * - Failed in time: rejects with the work's own error; when it was the result that could not be stored,
 *   or the task was cancelled, with TaskNotCompletedError.
 * - Still running: `{ status: "pending", refId, task }` at once; the work goes on, and its result lands
 *   under `refId` (poll `cache.getTask(refId)`, then `cache.get(refId)`).
 */
export async function runWithTimeoutFallback<T>(
  cache: RefCache,
  work: (context: TaskContext) => T | PromiseLike<T>,
  options: TimeoutFallbackOptions,
): Promise<TimeoutFallbackResult<Awaited<T>>> {
  if (typeof work !== "function") throw ValidationError.single("work", "work must be a function", "invalid_type");
  const parsed = parseOrThrow(TimeoutFallbackOptionsSchema, options, "timeout fallback options");
  const refId = parsed.refId ?? cache.newRefId();
  let outcome: { ok: true; value: Awaited<T> } | { ok: false; error: unknown } | undefined;
  const registered = await cache.registerTask(
    refId,
    async (context: TaskContext) => {
      try {
        const value = await work(context);
        outcome = { ok: true, value };
        return value;
      } catch (error) {
        outcome = { ok: false, error };
        throw error;
      }
    },
    {
      ...(parsed.ttlMs === undefined ? {} : { ttlMs: parsed.ttlMs }),
      ...(parsed.owner === undefined ? {} : { owner: parsed.owner }),
      ...(parsed.executeOnly === true ? { executeOnly: true } : {}),
    },
  );
  const task =
    (await cache.waitForTask(refId, {
      timeoutMs: parsed.timeoutMs,
      ...(parsed.owner === undefined ? {} : { owner: parsed.owner }),
    })) ?? registered;
  // Only a run of ours counts: the id may have been re-registered meanwhile.
  if (task.runId === registered.runId) {
    if (task.status === "complete" && outcome?.ok) return { status: "complete", refId, value: outcome.value, task };
    if (task.status === "failed" && outcome !== undefined && !outcome.ok) throw outcome.error;
    if (task.status === "failed" || task.status === "cancelled") {
      throw new TaskNotCompletedError(refId, task.status, task.error);
    }
  }
  return { status: "pending", refId, task };
}
