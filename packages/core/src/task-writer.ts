/**
 * Every change to a task goes through `write`: read the stored task, compute the next state, and
 * compare-and-set it on the version. A lost race re-reads and recomputes, so no update is lost and no
 * lock is ever held while user code (a progress updater) runs.
 */
import type { CacheContext } from "./cache-context.js";
import { IllegalTransitionError, StaleRunError, StoreError, TaskNotFoundError, truncate } from "./errors.js";
import { finishedTask } from "./finished-task.js";
import { type InProcessTaskAccess, inProcessAccessOf } from "./in-process-store.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { isTerminalStatus, type TaskInfo, type TaskStatus } from "./models.js";
import { isVisibleTo } from "./owner.js";
import { mergeFields, type ProgressFields } from "./progress.js";
import type { StoreEntry } from "./store.js";
import { isTaskOrNone, isUpdateOutcome } from "./store-replies.js";
import {
  copyOptionalInfo,
  copyProgress,
  copyStoredTask,
  type ReadonlyStoredTask,
  type StoredTask,
} from "./task-store.js";
import { canTransition } from "./transitions.js";

/** Who may write: a run's fencing token, an owner scope; and whether a closed cache may still write. */
export interface WriteGuard {
  runId?: string | undefined;
  owner?: string | undefined;
  /** For `close()` itself, which cancels what still runs after the cache is marked closed. */
  whileClosing?: boolean;
  /** A lease renewal: nothing a listener sees changes, so nobody is told. */
  leaseOnly?: boolean;
}

export interface Change {
  task: StoredTask;
  result?: StoreEntry;
  /**
   * For a change computed while the queue was released (an async updater): the same change applied to a
   * newer state, when the task changed meanwhile. Without it, `compute` runs again.
   */
  rebase?: (fresh: ReadonlyStoredTask) => Change;
}

/**
 * Computes the change to write from the stored task (which it reads, never changes) and the caller's `arg`,
 * or throws to refuse. A method taking its input as `arg` serves every call without a closure made per call.
 */
export type Compute<A = undefined> = (current: ReadonlyStoredTask, arg: A) => Change | Promise<Change>;

/** Told the stored task a write found, once the guard let it through, before `compute` runs. */
export type OnCurrent = (current: ReadonlyStoredTask) => void;

/** A change `compute` is still computing (it awaits user code), from the task it was given. */
interface Pending {
  current: ReadonlyStoredTask;
  later: Promise<Change>;
}

/** One turn of a queued write: written (or lost, `undefined`), or waiting on user code. */
type WriteStep = { written: ReadonlyStoredTask | undefined } | Pending;

const GET_REPLY = [isTaskOrNone, "get"] as const;
const UPDATE_REPLY = [isUpdateOutcome, "update"] as const;

/** Attempts before a write that keeps losing races gives up. */
const MAX_ATTEMPTS = 100;

/** The owner rule's visibility check (owner.ts), for the writer's guard. */
export const ownerMatches: (task: { owner?: string | undefined }, owner: string | undefined) => boolean = isVisibleTo;

/** The public view of a stored task. */
export function toTaskInfo(task: ReadonlyStoredTask, now: number): TaskInfo {
  const { progress, completedAt, resultExpiresAt } = task;
  // The shapes of a running task and of a complete one whose result has not expired, without an owner or
  // error, each in one literal (fields added after an object is made go to a side array, made anew on
  // every call; a lifecycle makes six TaskInfos: bench, the "lifecycle at …" lines). The same fields, in the
  // same order, as the general path (test/task-copy-shapes.test.ts).
  if (
    task.owner === undefined &&
    task.error === undefined &&
    task.resultExpired === undefined &&
    task.resultExecuteOnly === undefined &&
    (completedAt === undefined
      ? resultExpiresAt === undefined
      : resultExpiresAt !== undefined && (task.status !== "complete" || resultExpiresAt > now))
  ) {
    const { refId, status, startedAt, updatedAt, retryCount, runId } = task;
    if (completedAt === undefined) {
      return progress === undefined
        ? { refId, status, startedAt, updatedAt, retryCount, runId }
        : { refId, status, startedAt, updatedAt, retryCount, runId, progress: copyProgress(progress) };
    }
    const expires = resultExpiresAt as number;
    return progress === undefined
      ? { refId, status, startedAt, updatedAt, retryCount, runId, completedAt, resultExpiresAt: expires }
      : {
          refId,
          status,
          startedAt,
          updatedAt,
          retryCount,
          runId,
          progress: copyProgress(progress),
          completedAt,
          resultExpiresAt: expires,
        };
  }
  return toTaskInfoSlow(task, now);
}

/** `toTaskInfo` field by field, whatever the shape (the fast path's reference in the tests). */
export function toTaskInfoSlow(task: ReadonlyStoredTask, now: number): TaskInfo {
  // Field by field, as copyStoredTask, without the store's own fields.
  const info: TaskInfo = {
    refId: task.refId,
    status: task.status,
    startedAt: task.startedAt,
    updatedAt: task.updatedAt,
    retryCount: task.retryCount,
    runId: task.runId,
  };
  copyOptionalInfo(task, info);
  if (info.status === "complete" && info.resultExpiresAt !== undefined && info.resultExpiresAt <= now) {
    info.resultExpired = true;
  }
  return info;
}

export class TaskWriter {
  readonly #ctx: CacheContext;
  readonly #onWritten: (task: ReadonlyStoredTask, before: ReadonlyStoredTask | undefined) => void;
  readonly #mutex = new KeyedMutex();
  /** The task store's synchronous side, when it lives in this process and its writes are synchronous. */
  readonly #local: InProcessTaskAccess | undefined;

  constructor(
    context: CacheContext,
    onWritten: (task: ReadonlyStoredTask, before: ReadonlyStoredTask | undefined) => void,
  ) {
    this.#ctx = context;
    this.#onWritten = onWritten;
    const local = inProcessAccessOf(context.taskStore);
    this.#local = local?.updateSync === undefined ? undefined : local;
  }

  /** The stored task, or `undefined`. */
  read(refId: string): Promise<StoredTask | undefined> {
    return this.#ctx.storeCall(refId, () => this.#ctx.taskStore.get(refId), GET_REPLY);
  }

  /**
   * Applies `compute` to the stored task until the compare-and-set holds. `compute` may throw to refuse
   * (IllegalTransitionError, ValidationError). Writes of this instance to one id queue behind each other,
   * in call order, so they never race each other; the queue is never held while user code awaits: when
   * `compute` returns a promise, the queue is released until it settles, and the result is written only if
   * the task did not change meanwhile (else `compute` runs again on the newer state). Resolves to the
   * written task, which may be shared with the store (read it, never change it).
   */
  async write(refId: string, guard: WriteGuard, compute: Compute, onCurrent?: OnCurrent): Promise<ReadonlyStoredTask> {
    return this.writeSoon(refId, guard, compute, undefined, onCurrent);
  }

  /**
   * `write`, done before it returns where it can be: the written task at once, else a promise of it. A
   * refusal found at once is thrown, not returned as a rejection (call it from an `async` function).
   *
   * It is done at once over a store in this process that writes synchronously, when no write of this id
   * is queued and `compute` does not await: one read of the shared task, one guard check, one write. A
   * write of the id already queued here (a store in another process, or a `compute` awaiting user code)
   * makes this one queue behind it, so writes of one id land in call order either way.
   */
  writeSoon<A>(
    refId: string,
    guard: WriteGuard,
    compute: Compute<A>,
    arg: A,
    onCurrent?: OnCurrent,
  ): ReadonlyStoredTask | Promise<ReadonlyStoredTask> {
    const local = this.#local;
    if (local === undefined || this.#mutex.holds(refId))
      return this.#writeQueued(refId, guard, compute, arg, onCurrent);
    const current = this.#checked(refId, guard, local.readShared(refId), onCurrent);
    const change = compute(current, arg);
    if (change instanceof Promise)
      return this.#writeQueued(refId, guard, compute, arg, onCurrent, { current, later: change });
    const outcome = (local.updateSync as NonNullable<InProcessTaskAccess["updateSync"]>)(
      change.task,
      current.version,
      change.result,
      this.#ctx.instanceId,
      guard.leaseOnly,
    );
    if (!outcome.ok) return this.#writeQueued(refId, guard, compute, arg, onCurrent);
    if (!guard.leaseOnly) this.#onWritten(outcome.task, current);
    return outcome.task;
  }

  async #writeQueued<A>(
    refId: string,
    guard: WriteGuard,
    compute: Compute<A>,
    arg: A,
    onCurrent: OnCurrent | undefined,
    pending?: Pending,
  ): Promise<ReadonlyStoredTask> {
    let ready: WriteStep | undefined = pending;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const step: WriteStep =
        ready ??
        (await this.#mutex.run(refId, async (): Promise<WriteStep> => {
          if (!guard.whileClosing) this.#ctx.assertOpen(); // before the read: no store call after close()
          const current = this.#checked(refId, guard, await this.read(refId), onCurrent);
          const change = compute(current, arg);
          if (change instanceof Promise) return { current, later: change };
          return { written: await this.#compareAndSet(change, current, guard) };
        }));
      ready = undefined;
      if ("written" in step) {
        if (step.written !== undefined) return step.written;
        continue;
      }
      const change = await step.later;
      const written = await this.#mutex.run(refId, async () => {
        if (!guard.whileClosing) this.#ctx.assertOpen();
        const fresh = this.#checked(refId, guard, await this.read(refId), onCurrent);
        const final = fresh.version === step.current.version ? change : change.rebase?.(fresh);
        return final === undefined ? undefined : this.#compareAndSet(final, fresh, guard);
      });
      if (written !== undefined) return written;
    }
    throw new StoreError(`Gave up writing "${refId}" after ${MAX_ATTEMPTS} lost races`, refId, undefined);
  }

  /**
   * The guard, checked once per read of the task: the cache is open (unless closing), the task exists and
   * the guard's owner sees it (else TaskNotFoundError), `onCurrent` told, and the run is the guard's
   * (else StaleRunError).
   */
  #checked<T extends ReadonlyStoredTask>(
    refId: string,
    guard: WriteGuard,
    current: T | undefined,
    onCurrent: OnCurrent | undefined,
  ): T {
    if (!guard.whileClosing) this.#ctx.assertOpen();
    if (current === undefined || !ownerMatches(current, guard.owner)) throw new TaskNotFoundError(refId);
    onCurrent?.(current);
    if (guard.runId !== undefined && current.runId !== guard.runId) throw new StaleRunError(refId, guard.runId);
    return current;
  }

  /** Writes `change` if the task is still at `current`'s version; `undefined` when another write won. */
  async #compareAndSet(
    change: Change,
    current: ReadonlyStoredTask,
    guard: WriteGuard,
  ): Promise<StoredTask | undefined> {
    if (!guard.whileClosing) this.#ctx.assertOpen();
    const outcome = await this.#ctx.storeCall(
      current.refId,
      () =>
        this.#ctx.taskStore.update(change.task, current.version, change.result, this.#ctx.instanceId, guard.leaseOnly),
      UPDATE_REPLY,
    );
    if (!outcome.ok) return undefined;
    if (!guard.leaseOnly) this.#onWritten(outcome.task, current);
    return outcome.task;
  }

  /** Refuses (IllegalTransitionError) a move of `current` to `to`. */
  assertCanTransition(current: ReadonlyStoredTask, to: TaskStatus): void {
    if (!canTransition(current.status, to)) throw new IllegalTransitionError(current.refId, current.status, to);
  }

  /** `current` moved to `to` now, with its lease renewed (or dropped once terminal). */
  transition(current: ReadonlyStoredTask, to: TaskStatus, error?: string): StoredTask {
    this.assertCanTransition(current, to);
    const now = this.#ctx.now();
    const message = error === undefined ? undefined : truncate(error);
    if (isTerminalStatus(to)) return finishedTask(current, { status: to, at: now, error: message });
    const next = copyStoredTask(current);
    next.status = to;
    next.updatedAt = now;
    // A relative lease: the store starts it on its own clock, whatever this instance's clock says.
    next.leaseMs = this.#ctx.taskLeaseMs;
    if (message !== undefined) next.error = message;
    return next;
  }

  /**
   * `current` moved to `processing` now with `fields` (a checked progress update) laid over its progress,
   * its lease renewed: `transition(current, "processing")` with the progress replaced, without copying the
   * old one. A finished task refuses before the fields are checked against it (`current ≤ total`).
   */
  progressed(current: ReadonlyStoredTask, fields: ProgressFields): StoredTask {
    this.assertCanTransition(current, "processing");
    const next = copyStoredTask(current, false, mergeFields(current.progress, fields, current.refId));
    next.status = "processing";
    next.updatedAt = this.#ctx.now();
    next.leaseMs = this.#ctx.taskLeaseMs;
    return next;
  }

  /**
   * `current` complete with `result` (its entry): completed when the result was written (`createdAt`, so
   * a memory store keeps the two as one time), the result expiring at its `expiresAt` (`undefined`: never).
   */
  completion(current: ReadonlyStoredTask, result: Readonly<StoreEntry>): StoredTask {
    this.assertCanTransition(current, "complete");
    return finishedTask(current, { status: "complete", at: result.createdAt, resultExpiresAt: result.expiresAt });
  }
}
