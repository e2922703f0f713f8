/**
 * Every change to a task goes through `write`: read the stored task, compute the next state, and
 * compare-and-set it on the version. A lost race re-reads and recomputes, so no update is lost and no
 * lock is ever held while user code (a progress updater) runs.
 */
import type { CacheContext } from "./cache-context.js";
import { IllegalTransitionError, StaleRunError, StoreError, TaskNotFoundError, truncate } from "./errors.js";
import { finishedTask } from "./finished-task.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { isTerminalStatus, type TaskInfo, type TaskStatus } from "./models.js";
import { isVisibleTo } from "./owner.js";
import type { StoreEntry } from "./store.js";
import { isTaskOrNone, isUpdateOutcome } from "./store-replies.js";
import { copyOptionalInfo, copyStoredTask, type StoredTask } from "./task-store.js";
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
  rebase?: (fresh: StoredTask) => Change;
}

/** One turn of a write: written (or lost, `undefined`), or waiting on user code that computes the change. */
type WriteStep = { written: StoredTask | undefined } | { current: StoredTask; later: Promise<Change> };

const GET_REPLY = [isTaskOrNone, "get"] as const;
const UPDATE_REPLY = [isUpdateOutcome, "update"] as const;

/** Attempts before a write that keeps losing races gives up. */
const MAX_ATTEMPTS = 100;

/** The owner rule's visibility check (owner.ts), for the writer's guard. */
export const ownerMatches: (task: { owner?: string | undefined }, owner: string | undefined) => boolean = isVisibleTo;

/** The public view of a stored task. */
export function toTaskInfo(task: StoredTask, now: number): TaskInfo {
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
  readonly #onWritten: (task: StoredTask, before: StoredTask | undefined) => void;
  readonly #mutex = new KeyedMutex();

  constructor(context: CacheContext, onWritten: (task: StoredTask, before: StoredTask | undefined) => void) {
    this.#ctx = context;
    this.#onWritten = onWritten;
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
   * the task did not change meanwhile (else `compute` runs again on the newer state).
   */
  async write(
    refId: string,
    guard: WriteGuard,
    compute: (current: StoredTask) => Change | Promise<Change>,
    onCurrent?: (current: StoredTask) => void,
  ): Promise<StoredTask> {
    return this.writeSoon(refId, guard, compute, onCurrent);
  }

  /**
   * `write`, done before it returns where it can be (see `#writeNow`): the written task, else a promise
   * of it. A refusal found on the synchronous path is thrown, not returned as a rejection.
   */
  writeSoon(
    refId: string,
    guard: WriteGuard,
    compute: (current: StoredTask) => Change | Promise<Change>,
    onCurrent?: (current: StoredTask) => void,
  ): StoredTask | Promise<StoredTask> {
    const first = this.#writeNow(refId, guard, compute, onCurrent);
    if (first !== undefined && "written" in first && first.written !== undefined) return first.written;
    return this.#writeQueued(refId, guard, compute, onCurrent, first);
  }

  async #writeQueued(
    refId: string,
    guard: WriteGuard,
    compute: (current: StoredTask) => Change | Promise<Change>,
    onCurrent: ((current: StoredTask) => void) | undefined,
    first: WriteStep | undefined,
  ): Promise<StoredTask> {
    let ready = first;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const step: WriteStep =
        ready ??
        (await this.#mutex.run(refId, async (): Promise<WriteStep> => {
          const current = await this.#readChecked(refId, guard, onCurrent);
          const change = compute(current);
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
        const fresh = await this.#readChecked(refId, guard, onCurrent);
        const final = fresh.version === step.current.version ? change : change.rebase?.(fresh);
        return final === undefined ? undefined : this.#compareAndSet(final, fresh, guard);
      });
      if (written !== undefined) return written;
    }
    throw new StoreError(`Gave up writing "${refId}" after ${MAX_ATTEMPTS} lost races`, refId, undefined);
  }

  /**
   * The write in one synchronous step, for a store in this process that offers `readNow` and `updateNow`,
   * when no write of this id is queued (so call order holds). `undefined` when that does not apply;
   * `{ current, later }` when `compute` awaits user code (the queued path finishes it).
   */
  #writeNow(
    refId: string,
    guard: WriteGuard,
    compute: (current: StoredTask) => Change | Promise<Change>,
    onCurrent: ((current: StoredTask) => void) | undefined,
  ): WriteStep | undefined {
    const { taskStore } = this.#ctx;
    const updateNow = taskStore.updateNow;
    if (updateNow === undefined || taskStore.readNow === undefined || this.#mutex.holds(refId)) return undefined;
    if (!guard.whileClosing) this.#ctx.assertOpen();
    const current = taskStore.readNow(refId);
    if (current === undefined || !ownerMatches(current, guard.owner)) throw new TaskNotFoundError(refId);
    onCurrent?.(current);
    if (guard.runId !== undefined && current.runId !== guard.runId) throw new StaleRunError(refId, guard.runId);
    const change = compute(current);
    if (change instanceof Promise) return { current, later: change };
    const outcome = updateNow.call(
      taskStore,
      change.task,
      current.version,
      change.result,
      this.#ctx.instanceId,
      guard.leaseOnly,
    );
    if (!outcome.ok) return { written: undefined };
    if (!guard.leaseOnly) this.#onWritten(outcome.task, current);
    return { written: outcome.task };
  }

  async #readChecked(
    refId: string,
    guard: WriteGuard,
    onCurrent: ((current: StoredTask) => void) | undefined,
  ): Promise<StoredTask> {
    if (!guard.whileClosing) this.#ctx.assertOpen();
    const current = await this.read(refId);
    if (current === undefined || !ownerMatches(current, guard.owner)) throw new TaskNotFoundError(refId);
    onCurrent?.(current);
    if (guard.runId !== undefined && current.runId !== guard.runId) throw new StaleRunError(refId, guard.runId);
    return current;
  }

  /** Writes `change` if the task is still at `current`'s version; `undefined` when another write won. */
  async #compareAndSet(change: Change, current: StoredTask, guard: WriteGuard): Promise<StoredTask | undefined> {
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
  assertCanTransition(current: StoredTask, to: TaskStatus): void {
    if (!canTransition(current.status, to)) throw new IllegalTransitionError(current.refId, current.status, to);
  }

  /** `current` moved to `to` now, with its lease renewed (or dropped once terminal). */
  transition(current: StoredTask, to: TaskStatus, error?: string): StoredTask {
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

  /** `current` complete now, its result expiring at `resultExpiresAt` (epoch ms; `undefined`: never). */
  completion(current: StoredTask, resultExpiresAt: number | undefined): StoredTask {
    this.assertCanTransition(current, "complete");
    return finishedTask(current, { status: "complete", at: this.#ctx.now(), resultExpiresAt });
  }
}
