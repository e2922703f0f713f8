/**
 * The default task store: tasks in a Map of this process, shared by every RefCache given the same
 * instance. Writes are atomic because each one runs in a single synchronous step (or, with a value store
 * whose writes are not synchronous, under a per-id lock: locked-task-writes.ts), so compare-and-set holds as it would in Redis. Leases
 * and the age of finished tasks are judged on the store's one clock, as Redis judges them on its own.
 */

import * as z from "zod";
import { type Clock, ClockSchema, checkedNow, systemClock } from "./clock.js";
import { errorMessage, RefCacheError, StoreError, ValidationError } from "./errors.js";
import { FinishedMarks } from "./finished-marks.js";
import {
  type InProcessTaskAccess,
  type InProcessTaskStore,
  inProcessTaskStore,
  type SharedCreateOutcome,
  type SharedUpdateOutcome,
  syncValueWritesOf,
} from "./in-process-store.js";
import { KeptResults } from "./kept-results.js";
import { LockedTaskWrites } from "./locked-task-writes.js";
import { isTerminalStatus } from "./models.js";
import { parseOrThrow } from "./parse.js";
import { promiseFrom } from "./soon.js";
import { isValueStore, MemoryStore, type Store, type StoreEntry, type SyncValueWrites } from "./store.js";
import {
  type CreateTaskOptions,
  type CreateTaskOutcome,
  copyStoredTask,
  type StoredTask,
  type SubscribeOptions,
  type TaskChangeListener,
  type TaskPage,
  type TaskQuery,
  type UpdateTaskOutcome,
} from "./task-store.js";

const CURSOR_PREFIX = "m1.";

const copyTask = (task: StoredTask): StoredTask => copyStoredTask(task);

export interface MemoryTaskStoreOptions {
  /** The value store results are written to. Defaults to a new MemoryStore (see `createMemoryStores`). */
  store?: Store;
  /**
   * The store's clock, on which leases run out and finished tasks age (epoch ms; default `Date.now`). Every
   * RefCache sharing this store is judged on it, whatever clock each was given. A clock that throws or answers
   * anything but whole epoch ms fails the call with StoreError, and nothing is changed.
   */
  clock?: Clock;
}

/** What a failing store clock is: a RefCacheError it threw (the cache's own checked clock) as it is. */
const storeClockFailed = (error: unknown) =>
  RefCacheError.isInstance(error)
    ? error
    : new StoreError(`The task store's clock failed: ${errorMessage(error)}`, undefined, error);
const storeClockInvalid = (time: unknown) =>
  new StoreError("The task store's clock must return whole epoch milliseconds (≥ 0)", undefined, time);

const MemoryTaskStoreOptionsSchema = z.strictObject({
  store: z.custom<Store>(isValueStore, "store must implement get, set and delete").optional(),
  clock: ClockSchema.optional(),
});

/** The task store of each value store that was given without one, so caches sharing a store share tasks. */
const taskStoresOf = new WeakMap<Store, MemoryTaskStore>();

export class MemoryTaskStore implements InProcessTaskStore {
  /**
   * The one memory task store paired with `store` in this process: two RefCaches given the same value
   * store and no task store see the same tasks, as they would through Redis.
   */
  static over(store: Store, clock?: Clock): MemoryTaskStore {
    let taskStore = taskStoresOf.get(store);
    if (taskStore === undefined) {
      taskStore = new MemoryTaskStore(clock === undefined ? { store } : { store, clock });
      taskStoresOf.set(store, taskStore);
    }
    return taskStore;
  }

  /** The value store this task store writes results into. */
  readonly store: Store;
  readonly #clock: Clock;
  readonly #tasks = new Map<string, StoredTask>();
  /** Unfinished tasks, each with the store-clock time its lease ends (`Infinity`: no lease). */
  readonly #active = new Map<string, number>();
  /** Finished tasks by finish time, for `removeFinished`. */
  readonly #finishedMarks = new FinishedMarks();
  /** Subscribers told of removed tasks. */
  readonly #removalListeners = new Set<(refIds: readonly string[]) => void>();
  /** Subscribers, each with the origin whose own writes it does not want to hear of. */
  readonly #listeners = new Map<TaskChangeListener, string | undefined>();
  /** The value store's synchronous writes, when it offers them (a MemoryStore does): then no lock is needed. */
  readonly #syncValues: SyncValueWrites | undefined;
  /** Otherwise writes to one id (and creations, store-wide) take turns (locked-task-writes.ts). */
  readonly #locked: LockedTaskWrites | undefined;
  /** Results kept beside their tasks, when the value store is a plain MemoryStore (kept-results.ts). */
  readonly #kept: KeptResults | undefined;

  /** Synchronous reads, and writes when the value store's writes are synchronous (see in-process-store.ts). */
  readonly [inProcessTaskStore]: InProcessTaskAccess;

  constructor(options: MemoryTaskStoreOptions = {}) {
    const { store, clock } = parseOrThrow(MemoryTaskStoreOptionsSchema, options, "MemoryTaskStore options");
    this.store = store ?? new MemoryStore();
    this.#clock = clock ?? systemClock;
    this.#syncValues = syncValueWritesOf(this.store);
    this.#locked =
      this.#syncValues === undefined
        ? new LockedTaskWrites(
            {
              stored: (refId) => this.#tasks.get(refId),
              admit: (task, options, now) => this.#admit(task, options, false, now),
              put: (task, origin, now, previous) => this.#put(task, origin, now, previous),
              handOut: (task) => this.#handOut(task),
              now: () => this.#now(),
            },
            this.store,
          )
        : undefined;
    this.#kept = this.#syncValues === undefined ? undefined : KeptResults.link(this.#tasks, this.store);
    this[inProcessTaskStore] = {
      read: (refId) => {
        const task = this.#tasks.get(refId);
        return task === undefined ? undefined : this.#handOut(task);
      },
      readShared: (refId) => {
        const task = this.#tasks.get(refId);
        // The kept object itself: a lease that ran out stays so until the next write, which replaces it.
        if (task !== undefined && task.leaseExpired === undefined && this.#leaseRanOut(refId)) task.leaseExpired = true;
        return task;
      },
      list: () => this.#handOutAll(),
      createSync: this.#syncValues === undefined ? undefined : this.#createOwned,
      updateSync: this.#syncValues === undefined ? undefined : this.#updateOwned,
    };
  }

  /** The value store results are written to (the contract's name for `store`). */
  get valueStore(): Store {
    return this.store;
  }

  /** Number of tasks held. */
  get size(): number {
    return this.#tasks.size;
  }

  async get(refId: string): Promise<StoredTask | undefined> {
    const task = this.#tasks.get(refId);
    return task === undefined ? undefined : this.#handOut(task);
  }

  /** A copy of every stored task, each judged against one reading of the clock (not one per task). */
  *#handOutAll(): IterableIterator<StoredTask> {
    const now = this.#now();
    for (const task of this.#tasks.values()) yield this.#handOut(task, now);
  }

  /** A copy of a stored task, with `leaseExpired` when its lease has run out now. */
  #handOut(task: StoredTask, now?: number): StoredTask {
    const copy = copyTask(task);
    if (this.#leaseRanOut(task.refId, now)) copy.leaseExpired = true;
    return copy;
  }

  /**
   * Whether the task under `refId` is unfinished and its lease has run out on this store's clock (at `now`
   * when given; the clock is read only for a task with a lease).
   */
  #leaseRanOut(refId: string, now?: number): boolean {
    const end = this.#active.get(refId);
    return end !== undefined && end !== Number.POSITIVE_INFINITY && end <= (now ?? this.#now());
  }

  /**
   * This store's clock, checked: a clock that throws, or answers anything but whole epoch ms, is a
   * StoreError (a RefCacheError it throws is passed on). Every write reads it once, before it changes
   * anything, so a failing clock never leaves a write half done.
   */
  #now(): number {
    return checkedNow(this.#clock, storeClockFailed, storeClockInvalid);
  }

  /** Rejects (never throws) what it cannot take: a task that is not one, say. */
  create(task: StoredTask, options: CreateTaskOptions = {}, origin?: string): Promise<CreateTaskOutcome> {
    return promiseFrom((): CreateTaskOutcome | Promise<CreateTaskOutcome> => {
      if (this.#locked !== undefined) return this.#locked.create(task, options, origin);
      const outcome = this.#createOwned(copyTask(task), options, origin);
      return outcome.ok ? { ok: true, task: copyTask(outcome.task) } : outcome;
    });
  }

  /** Why `task` cannot be created now, or the task to store (`task` itself when the caller handed it over). */
  #admit(task: StoredTask, options: CreateTaskOptions, owned: boolean, now: number): CreateTaskOutcome {
    const previous = this.#tasks.get(task.refId);
    if (previous !== undefined && !isTerminalStatus(previous.status)) {
      return { ok: false, reason: "active", current: this.#handOut(previous, now) };
    }
    const max = options.maxActiveTasks;
    if (max !== undefined && this.#active.size >= max) {
      const live = this.#liveCount(now);
      if (live >= max) return { ok: false, reason: "capacity", activeTasks: live };
    }
    const stored = owned ? task : copyTask(task);
    stored.version = 1;
    stored.retryCount = previous === undefined ? 0 : previous.retryCount + 1;
    return { ok: true, task: stored };
  }

  /**
   * The one synchronous create (over synchronous value writes): keeps `task` itself, which the caller
   * handed over, and hands back the stored task, shared. `create` copies on the way in and out.
   */
  readonly #createOwned = (task: StoredTask, options: CreateTaskOptions = {}, origin?: string): SharedCreateOutcome => {
    const now = this.#now();
    const admitted = this.#admit(task, options, true, now);
    if (!admitted.ok) return admitted;
    (this.#syncValues as SyncValueWrites).delete(task.refId);
    this.#put(admitted.task, origin, now);
    return admitted;
  };

  update(
    task: StoredTask,
    expectedVersion: number,
    result?: StoreEntry,
    origin?: string,
    quiet?: boolean,
  ): Promise<UpdateTaskOutcome> {
    // Rejects (never throws) what it cannot take, a result the value store refuses included: nothing changed.
    return promiseFrom((): UpdateTaskOutcome | Promise<UpdateTaskOutcome> => {
      if (this.#locked !== undefined) return this.#locked.update(task, expectedVersion, result, origin, quiet);
      const outcome = this.#updateOwned(copyTask(task), expectedVersion, result, origin, quiet);
      return outcome.ok ? { ok: true, task: copyTask(outcome.task) } : outcome;
    });
  }

  /**
   * The one synchronous write (over synchronous value writes): keeps `stored` itself, which the caller
   * handed over, and hands back the stored task, shared. `update` copies on the way in and out.
   */
  readonly #updateOwned = (
    stored: StoredTask,
    expectedVersion: number,
    result?: StoreEntry,
    origin?: string,
    quiet?: boolean,
  ): SharedUpdateOutcome => {
    const current = this.#tasks.get(stored.refId);
    if (current === undefined || current.version !== expectedVersion) {
      return { ok: false, current: current === undefined ? undefined : this.#handOut(current) };
    }
    const now = this.#now();
    stored.version = expectedVersion + 1;
    const kept = this.#kept;
    if (kept !== undefined) stored = kept.write(current, stored, result);
    else if (result !== undefined) (this.#syncValues as SyncValueWrites).set(stored.refId, result);
    this.#put(stored, quiet === true ? null : origin, now, current);
    return { ok: true, task: stored };
  };

  async list(query: TaskQuery): Promise<TaskPage<StoredTask>> {
    let after: string | undefined;
    if (query.cursor !== undefined) {
      if (!query.cursor.startsWith(CURSOR_PREFIX)) {
        throw ValidationError.single("cursor", "cursor is not one this store handed out", "custom");
      }
      after = query.cursor.slice(CURSOR_PREFIX.length);
    }
    const matches: StoredTask[] = [];
    for (const task of this.#tasks.values()) {
      if (after !== undefined && task.refId <= after) continue;
      if (query.status !== undefined && !query.status.includes(task.status)) continue;
      if (query.owner !== undefined && task.owner !== query.owner) continue;
      matches.push(task);
    }
    matches.sort((a, b) => (a.refId < b.refId ? -1 : 1));
    const now = this.#now();
    const page = matches.slice(0, query.limit).map((task) => this.#handOut(task, now));
    const last = page.at(-1);
    return matches.length > query.limit && last !== undefined
      ? { tasks: page, nextCursor: `${CURSOR_PREFIX}${last.refId}` }
      : { tasks: page };
  }

  async listExpiredLeases(limit: number): Promise<StoredTask[]> {
    const out: StoredTask[] = [];
    const now = this.#now();
    for (const [refId, end] of this.#active) {
      if (out.length >= limit) break;
      const task = this.#tasks.get(refId);
      if (task !== undefined && end <= now) out.push(this.#handOut(task, now));
    }
    return out;
  }

  /** Unfinished tasks whose lease has not run out. */
  #liveCount(now: number): number {
    let live = 0;
    for (const end of this.#active.values()) if (end > now) live++;
    return live;
  }

  async removeFinished(olderThanMs: number, limit: number): Promise<string[]> {
    const tasks = this.#tasks;
    const kept = this.#kept;
    const removed = this.#finishedMarks.take(this.#now() - olderThanMs, limit, (mark) => {
      if (tasks.get(mark.refId) !== mark) return false;
      kept?.release(mark);
      tasks.delete(mark.refId);
      return true;
    });
    if (removed.length > 0) {
      for (const onRemoved of this.#removalListeners) {
        try {
          onRemoved([...removed]); // each its own list: one that changes it changes nobody else's
        } catch {
          // One subscriber's fault must not fail the removal or starve the others.
        }
      }
    }
    return removed;
  }

  subscribe(listener: TaskChangeListener, options: SubscribeOptions = {}): () => void {
    this.#listeners.set(listener, options.exceptOrigin);
    const { onRemoved } = options;
    if (onRemoved !== undefined) this.#removalListeners.add(onRemoved);
    return () => {
      this.#listeners.delete(listener);
      if (onRemoved !== undefined) this.#removalListeners.delete(onRemoved);
    };
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#removalListeners.clear();
  }

  /**
   * Stores `task` in place of `previous` (what was stored, if anything) at `now` (this store's clock, read
   * by the caller before it changed anything); tells subscribers unless `origin` is null (a lease renewal,
   * which changes nothing visible).
   */
  #put(task: StoredTask, origin: string | undefined | null, now: number, previous?: StoredTask): void {
    // What a store says on a read is not the writer's to set (a task handed back in, spread by a caller).
    if (task.leaseExpired !== undefined) delete task.leaseExpired;
    this.#tasks.set(task.refId, task);
    const wasActive = previous !== undefined && !isTerminalStatus(previous.status);
    if (isTerminalStatus(task.status)) {
      if (wasActive) this.#active.delete(task.refId);
      this.#finishedMarks.mark(task, now);
    } else {
      // Every write that carries a lease starts it anew, on this store's clock.
      const leaseMs = task.leaseMs;
      this.#active.set(task.refId, leaseMs === undefined ? Number.POSITIVE_INFINITY : now + leaseMs);
    }
    if (origin === null || this.#listeners.size === 0) return;
    for (const [listener, exceptOrigin] of this.#listeners) {
      // A subscriber wrote the task meanwhile (at once, through the synchronous side): every subscriber was
      // told of that newer state then, so the rest are not told this older one after it. One that removed
      // it (a finished task cleaned up at once) told them nothing of this state: they are still told.
      const stored = this.#tasks.get(task.refId);
      if (stored !== task && stored !== undefined) return;
      if (origin !== undefined && origin === exceptOrigin) continue;
      try {
        listener(origin === undefined ? { task: copyTask(task) } : { task: copyTask(task), origin });
      } catch {
        // One subscriber's fault must not fail the write or starve the others.
      }
    }
  }
}

/** A value store and a task store that writes results into it: the in-memory pair for `new RefCache`. */
export function createMemoryStores(options: { clock?: Clock } = {}): {
  store: MemoryStore;
  taskStore: MemoryTaskStore;
} {
  const store = new MemoryStore();
  return { store, taskStore: new MemoryTaskStore({ ...options, store }) };
}
