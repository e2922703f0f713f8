/**
 * The memory task store's writes over a value store whose writes are not synchronous (anything but a
 * MemoryStore): a result is written with an `await` between reading the task and storing it, so writes to
 * one id take turns under a per-id lock, and creations also take one store-wide turn, so the active count
 * they check cannot change under them. Over a MemoryStore the store writes in one synchronous step instead
 * and needs none of this (memory-task-store.ts).
 */
import { KeyedMutex } from "./keyed-mutex.js";
import type { Store, StoreEntry } from "./store.js";
import {
  type CreateTaskOptions,
  type CreateTaskOutcome,
  copyStoredTask,
  type StoredTask,
  type UpdateTaskOutcome,
} from "./task-store.js";

/** A lock name no ref id can take (ids start with a letter or digit). */
const CREATE_LOCK = "\u0000create";

/** What the locked writes need of the store's table of tasks (memory-task-store.ts). */
export interface TaskTable {
  /** The task stored under `refId`, itself (never handed out). */
  stored(refId: string): StoredTask | undefined;
  /** Why `task` cannot be created now, or the task to store (a copy of `task`). */
  admit(task: StoredTask, options: CreateTaskOptions, now: number): CreateTaskOutcome;
  /** Stores `task` in place of `previous` and tells subscribers (`null` origin: nobody). */
  put(task: StoredTask, origin: string | undefined | null, now: number, previous?: StoredTask): void;
  /** A copy of a stored task, as a read hands it out. */
  handOut(task: StoredTask): StoredTask;
  /** The store's checked clock. */
  now(): number;
}

export class LockedTaskWrites {
  readonly #mutex = new KeyedMutex();

  constructor(
    private readonly table: TaskTable,
    private readonly values: Store,
  ) {}

  create(task: StoredTask, options: CreateTaskOptions, origin: string | undefined): Promise<CreateTaskOutcome> {
    return this.#mutex.run(CREATE_LOCK, () =>
      this.#mutex.run(task.refId, async () => {
        const now = this.table.now();
        const admitted = this.table.admit(task, options, now);
        if (!admitted.ok) return admitted;
        await this.values.delete(task.refId);
        this.table.put(admitted.task, origin, now);
        return { ok: true, task: copyStoredTask(admitted.task) };
      }),
    );
  }

  update(
    task: StoredTask,
    expectedVersion: number,
    result: StoreEntry | undefined,
    origin: string | undefined,
    quiet: boolean | undefined,
  ): Promise<UpdateTaskOutcome> {
    return this.#mutex.run(task.refId, async () => {
      const current = this.table.stored(task.refId);
      if (current === undefined || current.version !== expectedVersion) {
        return { ok: false, current: current === undefined ? undefined : this.table.handOut(current) };
      }
      const stored = copyStoredTask(task);
      stored.version = expectedVersion + 1;
      const now = this.table.now(); // before the value is written: a failing clock refuses the whole write
      // The value first: no reader may see `complete` without it.
      if (result !== undefined) await this.values.set(task.refId, result);
      this.table.put(stored, quiet === true ? null : origin, now, current);
      return { ok: true, task: copyStoredTask(stored) };
    });
  }
}
