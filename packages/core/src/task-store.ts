/**
 * The task store: where the truth about every task lives, shared by every RefCache (and every process)
 * that points at it. Each write is a compare-and-set on `version`, so two instances racing on one id
 * can never both win, and a write from an old run (a stale `runId`) can never overwrite a newer one.
 */
import type { TaskInfo, TaskProgress, TaskStatus } from "./models.js";
import type { Store, StoreEntry } from "./store.js";

/**
 * A task as the store holds it: the public `TaskInfo` plus the fields that make concurrent writers safe.
 * Stores keep it as plain JSON data.
 */
export interface StoredTask extends TaskInfo {
  /** Incremented by every successful write; the compare-and-set checks it. */
  version: number;
  /**
   * Length of the lease of the instance running the task (ms), as that instance wrote it. Every write that
   * carries it starts the lease anew **on the store's own clock** (Redis: the server's `TIME`); absent, the
   * task has no lease and is never lost. Writers never send an absolute time: instances' clocks may differ.
   */
  leaseMs?: number;
  /**
   * Set by the store on a task it hands out when the task is unfinished and its lease ran out, judged on the
   * store's clock at the read; ignored (dropped) on writes. A RefCache fails such a task as "worker lost".
   */
  leaseExpired?: true;
  /** Time to live of the result when the task completes (ms; `null` keeps it); absent: the cache's default. */
  resultTtlMs?: number | null;
}

/**
 * Compiles to `true` only when the list `L` names every key of `T`; otherwise to an object naming the
 * keys it leaves out, so `true satisfies ListsEvery<…>` fails to compile until the list is completed.
 */
export type ListsEvery<T, L extends readonly PropertyKey[]> = [Exclude<keyof T, L[number]>] extends [never]
  ? true
  : { unlisted: Exclude<keyof T, L[number]> };

/**
 * The fields of a task's progress, in the order `copyProgress` copies them. Fenced: a field added to
 * `TaskProgress` fails to compile until it is listed here, and the copy tests (and the store conformance
 * suite) check every listed field is copied and stored.
 */
export const TASK_PROGRESS_KEYS = [
  "current",
  "total",
  "message",
  "percentage",
] as const satisfies readonly (keyof TaskProgress)[];
true satisfies ListsEvery<TaskProgress, typeof TASK_PROGRESS_KEYS>;

/** The fields every `TaskInfo` has, in the order tasks are built (and `toTaskInfo` copies them). */
export const TASK_INFO_REQUIRED_KEYS = [
  "refId",
  "status",
  "startedAt",
  "updatedAt",
  "retryCount",
  "runId",
] as const satisfies readonly (keyof TaskInfo)[];

/** The optional fields of `TaskInfo`, in the order `copyOptionalInfo` copies them. */
export const TASK_INFO_OPTIONAL_KEYS = [
  "owner",
  "progress",
  "completedAt",
  "error",
  "resultExpiresAt",
  "resultExpired",
  "resultExecuteOnly",
] as const satisfies readonly (keyof TaskInfo)[];

/** Every field of `TaskInfo` (fenced: see TASK_PROGRESS_KEYS). */
export const TASK_INFO_KEYS = [...TASK_INFO_REQUIRED_KEYS, ...TASK_INFO_OPTIONAL_KEYS] as const;
true satisfies ListsEvery<TaskInfo, typeof TASK_INFO_KEYS>;

/** The fields a stored task has beyond `TaskInfo`: `version` always, the others when set. */
export const STORED_TASK_OWN_KEYS = [
  "version",
  "leaseMs",
  "leaseExpired",
  "resultTtlMs",
] as const satisfies readonly (keyof StoredTask)[];

/**
 * Every field of `StoredTask` (fenced: see TASK_PROGRESS_KEYS). `copyStoredTask` copies them all but
 * `leaseExpired` (what a store says on a read, never written).
 */
export const STORED_TASK_KEYS = [...TASK_INFO_KEYS, ...STORED_TASK_OWN_KEYS] as const;
true satisfies ListsEvery<StoredTask, typeof STORED_TASK_KEYS>;

/**
 * A stored task the holder shares with the store that keeps it (or with other readers): it may read it,
 * never change it, progress included. Copy it (`copyStoredTask`) to build a change from it.
 */
export type ReadonlyStoredTask = Readonly<Omit<StoredTask, "progress">> & {
  readonly progress?: Readonly<TaskProgress>;
};

/**
 * A copy of `task` (its progress copied too) that shares nothing mutable with it; without its lease when
 * `withoutLease`, and never with `leaseExpired` (what a store says on a read, not part of a write).
 * Field by field, in the order tasks are built, so copies share a few shapes and stay cheap to make and
 * to read (a spread of tasks of many shapes falls off V8's fast path).
 */
export function copyStoredTask(
  task: ReadonlyStoredTask,
  withoutLease = false,
  /** The copy's progress instead of a copy of the task's: one the caller built for it (and never touches again). */
  newProgress?: TaskProgress,
): StoredTask {
  const { leaseMs, progress } = task;
  // An unfinished task with a lease and nothing else optional, the shape every write of a running task copies,
  // in one literal: fields added after an object is made go to a side array, made anew on every copy
  // (bench: the "lifecycle at …" lines; test/task-copy-shapes.test.ts holds it to the general path).
  if (
    leaseMs !== undefined &&
    !withoutLease &&
    task.resultTtlMs === undefined &&
    task.owner === undefined &&
    task.completedAt === undefined &&
    task.error === undefined &&
    task.resultExpiresAt === undefined &&
    task.resultExpired === undefined &&
    task.resultExecuteOnly === undefined
  ) {
    const { refId, status, startedAt, updatedAt, retryCount, runId, version } = task;
    const kept = newProgress ?? (progress === undefined ? undefined : copyProgress(progress));
    return kept === undefined
      ? { refId, status, startedAt, updatedAt, retryCount, runId, version, leaseMs }
      : { refId, status, startedAt, updatedAt, retryCount, runId, version, leaseMs, progress: kept };
  }
  const copy = copyStoredTaskSlow(task, withoutLease);
  if (newProgress !== undefined) copy.progress = newProgress;
  return copy;
}

/** `copyStoredTask` field by field, whatever the shape (the fast path's reference in the tests). */
export function copyStoredTaskSlow(task: ReadonlyStoredTask, withoutLease = false): StoredTask {
  const copy: StoredTask = {
    refId: task.refId,
    status: task.status,
    startedAt: task.startedAt,
    updatedAt: task.updatedAt,
    retryCount: task.retryCount,
    runId: task.runId,
    version: task.version,
  };
  if (task.leaseMs !== undefined && !withoutLease) copy.leaseMs = task.leaseMs;
  if (task.resultTtlMs !== undefined) copy.resultTtlMs = task.resultTtlMs;
  copyOptionalInfo(task, copy);
  return copy;
}

/** Copies the optional public fields of `from` that are present onto `to` (the progress copied too). */
export function copyOptionalInfo(from: Readonly<TaskInfo>, to: TaskInfo): void {
  if (from.owner !== undefined) to.owner = from.owner;
  if (from.progress !== undefined) to.progress = copyProgress(from.progress);
  if (from.completedAt !== undefined) to.completedAt = from.completedAt;
  if (from.error !== undefined) to.error = from.error;
  if (from.resultExpiresAt !== undefined) to.resultExpiresAt = from.resultExpiresAt;
  if (from.resultExpired !== undefined) to.resultExpired = from.resultExpired;
  if (from.resultExecuteOnly === true) to.resultExecuteOnly = true;
}

/** A copy of a task's progress, field by field (see copyStoredTask). */
export function copyProgress(progress: Readonly<TaskProgress>): TaskProgress {
  const { current, total, message, percentage } = progress;
  // All four, as progress with a total is built: one literal, no shape changes (see copyStoredTask).
  if (current !== undefined && total !== undefined && message !== undefined && percentage !== undefined) {
    return { current, total, message, percentage };
  }
  const copy: TaskProgress = {};
  if (progress.current !== undefined) copy.current = progress.current;
  if (progress.total !== undefined) copy.total = progress.total;
  if (progress.message !== undefined) copy.message = progress.message;
  if (progress.percentage !== undefined) copy.percentage = progress.percentage;
  return copy;
}

/** Options of `TaskStore.create`. */
export interface CreateTaskOptions {
  /**
   * Refuse the task when this many tasks are already pending or processing (counted atomically). A task whose
   * lease ran out (on the store's clock) is not counted: its worker is lost.
   */
  maxActiveTasks?: number;
}

/** Result of `TaskStore.create`. */
export type CreateTaskOutcome =
  | { ok: true; task: StoredTask }
  /** A task that has not finished holds the id. */
  | { ok: false; reason: "active"; current: StoredTask }
  /** `maxActiveTasks` tasks are already active. */
  | { ok: false; reason: "capacity"; activeTasks: number };

/** Result of `TaskStore.update`. */
export type UpdateTaskOutcome =
  | { ok: true; task: StoredTask }
  /** The stored version differed (someone else wrote first) or the task is gone; `current` is what is stored now. */
  | { ok: false; current: StoredTask | undefined };

/** A filter and a page position for `TaskStore.list`. */
export interface TaskQuery {
  /** Only tasks in one of these statuses. */
  status?: readonly TaskStatus[];
  /** Only tasks with exactly this owner. */
  owner?: string;
  /** Opaque position returned as `nextCursor` by the previous page. */
  cursor?: string;
  /** Page size, 1–1000. */
  limit: number;
}

export interface TaskPage<T> {
  tasks: T[];
  /** Present when more tasks may follow; pass it back as `cursor`. */
  nextCursor?: string;
}

/** What a store tells its subscribers after every successful write, from any instance. */
export interface TaskChange {
  task: StoredTask;
  /** `instanceId` of the RefCache that made the change, when it said. */
  origin?: string;
}

export type TaskChangeListener = (change: TaskChange) => void;

export interface SubscribeOptions {
  /** Leave out changes whose `origin` is this (a RefCache is not told of its own writes). A store may ignore it. */
  exceptOrigin?: string;
  /**
   * Told the ids of tasks `removeFinished` removed, by any instance, so a local view can forget them.
   * Optional for a store (a RefCache bounds its local view without it); called after the removal.
   */
  onRemoved?: (refIds: readonly string[]) => void;
}

/**
 * The contract every task store keeps (memory, Redis, …), checked by the conformance suite in
 * `@mcp-refcache/core/testing`. All methods are asynchronous; each one is atomic.
 *
 * A task store is paired with the value `Store` that holds results: `create` removes the old value of
 * the id and `update` with a `result` writes the value in the same atomic step as the status, so no
 * reader ever sees `complete` without its value, and a stale run can never overwrite a newer result.
 *
 * **Time.** Every decision that compares times across instances is made on the store's own clock: leases
 * (`leaseMs`, `leaseExpired`, `listExpiredLeases`, the active count of `create`) and the age of finished
 * tasks (`removeFinished`). The times inside a task (`startedAt`, `updatedAt`, `completedAt`) are the
 * writer's, for display only. Order across instances is the `version`, never a timestamp.
 *
 * A store that lives in this process may also offer synchronous reads and writes, through the unstable
 * `@mcp-refcache/core/internal` surface (see in-process-store.ts); the memory store does.
 */
export interface TaskStore {
  /**
   * The value store this task store writes results to. A RefCache given another `store` is refused (its
   * results would land where it never reads); given none, it uses this one. Every store should say.
   */
  readonly valueStore?: Store;

  /** The stored task (with `leaseExpired` when its lease ran out), or `undefined`. */
  get(refId: string): Promise<StoredTask | undefined>;

  /**
   * Creates `task` (its `version` is ignored; the stored one starts at 1) unless an unfinished task holds
   * the id or the active count is at `maxActiveTasks`. A finished task under the id is replaced (the new
   * `retryCount` is the old one plus one; otherwise 0), and the value stored under the id is deleted in
   * the same step.
   */
  create(task: StoredTask, options?: CreateTaskOptions, origin?: string): Promise<CreateTaskOutcome>;

  /**
   * Replaces the stored task with `task` if the stored version is `expectedVersion` (the new version is
   * `expectedVersion + 1`). With `result`, the value is written under the task's id in the same step.
   * `quiet` marks a lease renewal, which subscribers are not told of (nothing they see changed).
   */
  update(
    task: StoredTask,
    expectedVersion: number,
    result?: StoreEntry,
    origin?: string,
    quiet?: boolean,
  ): Promise<UpdateTaskOutcome>;

  /** One page of tasks, in a stable order, filtered by status and owner. */
  list(query: TaskQuery): Promise<TaskPage<StoredTask>>;

  /** Up to `limit` unfinished tasks whose lease has run out on the store's clock (each with `leaseExpired`). */
  listExpiredLeases(limit: number): Promise<StoredTask[]>;

  /**
   * Removes up to `limit` finished tasks that finished at least `olderThanMs` ago, as the store's clock
   * measures it from the write that finished them, oldest first (through an index by finish time, not a
   * scan); returns their ids and tells `onRemoved` subscribers. Values are left to their TTL.
   */
  removeFinished(olderThanMs: number, limit: number): Promise<string[]>;

  /**
   * Calls `listener` after every successful create or update, from any instance sharing the store.
   * Optional: without it, cancels made elsewhere reach a runner on its next lease renewal or progress write.
   */
  subscribe?(listener: TaskChangeListener, options?: SubscribeOptions): () => void;

  /** Releases connections or other resources. */
  close?(): Promise<void>;
}
