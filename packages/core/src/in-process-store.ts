/**
 * The synchronous side of stores that live in this process (the memory stores), kept off the public
 * `TaskStore` and `Store` contracts. A store opts in by holding an access object under a symbol key; a
 * RefCache over such a store reads and writes without a round of promises. Exposed to store authors
 * through `@mcp-refcache/core/internal`, which is UNSTABLE (it may change in any minor release).
 *
 * Ownership is in the types: a task handed to `createSync`/`updateSync` is the store's from then on (the
 * caller never touches it again), and a task handed back as `ReadonlyStoredTask` is shared with the store
 * (the caller reads it and never changes it).
 */
import { inProcessTaskStore, inProcessValueStore } from "./in-process-keys.js";
import type { Store, StoreEntry, SyncValueWrites } from "./store.js";
import type {
  CreateTaskOptions,
  CreateTaskOutcome,
  ReadonlyStoredTask,
  StoredTask,
  TaskStore,
  UpdateTaskOutcome,
} from "./task-store.js";

export { inProcessTaskStore, inProcessValueStore } from "./in-process-keys.js";
export type { SyncValueWrites } from "./store.js";
export type { ReadonlyStoredTask } from "./task-store.js";

/** `CreateTaskOutcome` whose created task is shared with the store. */
export type SharedCreateOutcome = { ok: true; task: ReadonlyStoredTask } | Exclude<CreateTaskOutcome, { ok: true }>;

/** `UpdateTaskOutcome` whose written task is shared with the store. */
export type SharedUpdateOutcome = { ok: true; task: ReadonlyStoredTask } | Exclude<UpdateTaskOutcome, { ok: true }>;

/**
 * Synchronous access to a task store in this process. With it, a RefCache answers `getTaskStatus` and
 * `listTasks` from the store itself (no local copy of its own); with `createSync` and `updateSync` too,
 * it writes without awaiting, a large share of a memory task's cost.
 */
export interface InProcessTaskAccess {
  /** A copy of the stored task (with `leaseExpired` when its lease ran out), or `undefined`: `get`, at once. */
  read(refId: string): StoredTask | undefined;
  /**
   * The stored task itself, not copied (with `leaseExpired` when its lease ran out), or `undefined`:
   * for a caller that reads it before it writes and never keeps or changes it.
   */
  readShared(refId: string): ReadonlyStoredTask | undefined;
  /** A copy of every stored task, in no particular order (for the local `listTasks` view). */
  list(): Iterable<StoredTask>;
  /**
   * `TaskStore.create`, done before it returns; `undefined` when the store's writes (of values too) do
   * not take effect when called. Takes `task` over (the store may keep it); the created task it returns
   * is shared.
   */
  readonly createSync:
    | ((task: StoredTask, options: CreateTaskOptions, origin?: string) => SharedCreateOutcome)
    | undefined;
  /**
   * `TaskStore.update`, done before it returns; offered with `createSync`. Takes `task` over; the written
   * task it returns is shared.
   */
  readonly updateSync:
    | ((
        task: StoredTask,
        expectedVersion: number,
        result?: StoreEntry,
        origin?: string,
        quiet?: boolean,
      ) => SharedUpdateOutcome)
    | undefined;
}

/** A task store that lives in this process and says so. */
export interface InProcessTaskStore extends TaskStore {
  readonly [inProcessTaskStore]: InProcessTaskAccess;
}

/** A value store that lives in this process; `undefined` under the key when its writes are not synchronous. */
export interface InProcessValueStore extends Store {
  readonly [inProcessValueStore]: SyncValueWrites | undefined;
}

/** The synchronous access `store` offers, if it lives in this process. */
export function inProcessAccessOf(store: TaskStore): InProcessTaskAccess | undefined {
  return (store as Partial<InProcessTaskStore>)[inProcessTaskStore];
}

/** The synchronous writes `store` offers, if its writes take effect when called. */
export function syncValueWritesOf(store: Store): SyncValueWrites | undefined {
  return (store as Partial<InProcessValueStore>)[inProcessValueStore];
}
