/**
 * RefCache: values under short ref ids, and a registry of the background work whose results land under
 * them. This file is the public face and the lifecycle; the halves live in value-cache.ts and
 * task-registry.ts, the shared state in the stores.
 */
import * as z from "zod";
import { CacheContext, type RefCacheOptions } from "./cache-context.js";
import { Maintenance } from "./maintenance.js";
import {
  type CacheEntryInfo,
  type ClientEntry,
  isTerminalStatus,
  MAX_TIMER_MS,
  OwnerSchema,
  type ReadOptions,
  rememberRefId,
  type SetOptions,
  type TaskInfo,
  type TaskProgressUpdate,
  type TaskStatus,
} from "./models.js";
import { isVisibleTo } from "./owner.js";
import { parseOrThrow } from "./parse.js";
import { randomBase64Url } from "./random-ids.js";
import type { Store } from "./store.js";
import type { ProgressUpdater, TaskInput } from "./task-input.js";
import type {
  CompleteTaskOptions,
  OwnerOptions,
  RegisterTaskOptions,
  RunOptions,
  TaskListener,
  TaskQueryOptions,
} from "./task-options.js";
import { TaskRegistry } from "./task-registry.js";
import type { TaskStore } from "./task-store.js";
import { ValueCache } from "./value-cache.js";
import type { ValuePage } from "./values/page.js";
import type { ResolvedValueBudget } from "./values/value-budget.js";
import type { PageOptions, PreviewOptions, ValuePreview } from "./values/value-schemas.js";
import { weakRef } from "./weak.js";

const WaitOptionsSchema = z.strictObject({
  timeoutMs: z.number().int().nonnegative().max(MAX_TIMER_MS),
  owner: OwnerSchema.optional(),
  signal: z.instanceof(AbortSignal).optional(),
});
export type WaitForTaskOptions = z.input<typeof WaitOptionsSchema>;

/** Random characters of a new ref id: 22 base64url characters, 132 random bits (unguessable: owner.ts). */
const REF_ID_RANDOM_CHARS = 22;

/** How often `waitForTask` looks at the store when the store cannot tell it of changes (ms). */
const WAIT_POLL_MS = 250;

export class RefCache {
  readonly #ctx: CacheContext;
  readonly #values: ValueCache;
  readonly #tasks: TaskRegistry;
  readonly #maintenance: Maintenance;
  #closing: Promise<void> | undefined;
  /** What every `newRefId` starts with. */
  readonly #idPrefix: string;

  constructor(options: RefCacheOptions = {}) {
    this.#ctx = new CacheContext(options);
    this.#idPrefix = `${this.#ctx.name}:`;
    this.#values = new ValueCache(this.#ctx);
    this.#tasks = new TaskRegistry(this.#ctx, this.#values);
    this.#maintenance = new Maintenance(this.#ctx, this.#tasks, this);
    const maintenance = weakRef(this.#maintenance);
    this.#tasks.onRun = () => maintenance.deref()?.ensureRunning(true);
  }

  get name(): string {
    return this.#ctx.name;
  }
  get taskCleanupIntervalMs(): number {
    return this.#ctx.taskCleanupIntervalMs;
  }
  get taskRetentionMs(): number {
    return this.#ctx.taskRetentionMs;
  }
  get defaultTtlMs(): number | null {
    return this.#ctx.defaultTtlMs;
  }
  get taskLeaseMs(): number {
    return this.#ctx.taskLeaseMs;
  }
  get maxActiveTasks(): number | undefined {
    return this.#ctx.maxActiveTasks;
  }
  /** The budget of answers handed to clients (`valueBudget` option, defaults filled in). */
  get valueBudget(): ResolvedValueBudget {
    return this.#ctx.valueBudget;
  }
  /** Largest value stored (UTF-8 bytes of its JSON text). */
  get maxValueBytes(): number {
    return this.#ctx.maxValueBytes;
  }
  /** Names this instance in change events. */
  get instanceId(): string {
    return this.#ctx.instanceId;
  }
  /** The value store. */
  get store(): Store {
    return this.#ctx.store;
  }
  /** The task store. */
  get taskStore(): TaskStore {
    return this.#ctx.taskStore;
  }
  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#ctx.closed;
  }
  /** Whether the periodic clean-up is running. */
  get cleanupRunning(): boolean {
    return this.#maintenance.cleanupRunning;
  }

  /**
   * A new, unguessable ref id: `<name>:` and 22 random base64url characters (`A-Z a-z 0-9 - _`, 132
   * random bits).
   */
  newRefId(): string {
    const id = randomBase64Url(REF_ID_RANDOM_CHARS, this.#idPrefix);
    rememberRefId(id);
    this.#tasks.minted(id);
    return id;
  }

  // ---------------------------------------------------------------- values

  /** Stores `value` (JSON data) under `key`, replacing what was there. */
  async set(key: string, value: unknown, options: SetOptions = {}): Promise<CacheEntryInfo> {
    this.#tasks.used(key);
    const info = await this.#values.set(key, value, options);
    if (info.expiresAt !== undefined) this.#maintenance.ensureRunning(false);
    return info;
  }

  /** The value under `key`, or `undefined` when there is none, it expired, or it belongs to another owner. */
  async get<T = unknown>(key: string, options: ReadOptions = {}): Promise<T | undefined> {
    return (await this.#values.get(key, options)) as T | undefined;
  }

  /** Like `get`, with the entry's timestamps and owner. */
  async getEntry<T = unknown>(
    key: string,
    options: ReadOptions = {},
  ): Promise<(CacheEntryInfo & { value: T }) | undefined> {
    return (await this.#values.getEntry(key, options)) as (CacheEntryInfo & { value: T }) | undefined;
  }

  /**
   * The entry under `key` as a client acting for `owner` may see it, for adapters answering a client's read:
   * as `getEntry`, except that an execute-only value comes back as its metadata alone (`executeOnly: true`,
   * no `value`; see `SetOptions.executeOnly`) and is never decoded (the one store read still carries its
   * text, but nothing is done with it). `undefined` when there is none, it expired, or it belongs to another owner. Throws
   * StoreError (`STORE_ERROR`) for an entry another writer left damaged.
   */
  async getEntryForClient<T = unknown>(key: string, options: ReadOptions = {}): Promise<ClientEntry<T> | undefined> {
    return (await this.#values.getEntryForClient(key, options)) as ClientEntry<T> | undefined;
  }

  /**
   * The entry's metadata (timestamps, owner, version, execute-only) without its value: reads only the
   * bookkeeping where the store has `stat`, so it costs the same whatever the value's size. `undefined` as
   * for `get`.
   */
  getEntryInfo(key: string, options: ReadOptions = {}): Promise<CacheEntryInfo | undefined> {
    return this.#values.getEntryInfo(key, options);
  }

  /**
   * The entry under `key` that the owner may pass to a tool by reference: its own, or an execute-only value
   * the server stored without an owner (the one read `resolveRefs` makes). `undefined` for any other, as for
   * an unknown key; the value is decoded only once that is settled, so a refusal never decodes it.
   */
  async getReferenced<T = unknown>(
    key: string,
    options: ReadOptions = {},
  ): Promise<(CacheEntryInfo & { value: T }) | undefined> {
    return (await this.#values.getReferenced(key, options)) as (CacheEntryInfo & { value: T }) | undefined;
  }

  /** Whether a live value visible to the owner is stored under `key`, without reading it where the store allows. */
  has(key: string, options: ReadOptions = {}): Promise<boolean> {
    return this.#values.has(key, options);
  }

  /**
   * A preview of the value under `key` that fits `maxChars` (default `valueBudget.maxChars`): its shape
   * kept, arrays sampled, strings cut, everything left out marked in place; `complete` when it is the
   * whole value. `undefined` when there is no value, it expired, or it belongs to another owner.
   */
  preview(key: string, options: PreviewOptions = {}): Promise<ValuePreview | undefined> {
    return this.#values.preview(key, options);
  }

  /**
   * One page of the value under `key`, or of the part `path` (a JSON Pointer) names, of at most `maxChars`
   * (default `valueBudget.maxChars`); pass `nextCursor` back as `cursor` for the next one. Joining the
   * pages gives the value back exactly (see `ValuePage`). A malformed or stale cursor, a path that does not
   * resolve or a page past the end is a ValidationError; `undefined` as for `preview`.
   */
  page(key: string, options: PageOptions = {}): Promise<ValuePage | undefined> {
    return this.#values.page(key, options);
  }

  /** Deletes the value under `key`; returns whether there was one. A running task's key cannot be deleted. */
  delete(key: string, options: ReadOptions = {}): Promise<boolean> {
    return this.#values.delete(key, options);
  }

  // ---------------------------------------------------------------- tasks

  /**
   * Registers background work under `refId` and returns its TaskInfo (with the run's `runId`).
   *
   * - A promise (or a handle with `promise`) starts as `processing`; when it settles the task completes
   *   with its value (stored under `refId`) or fails with its error.
   * - A function is called at once with a `TaskContext` (abort signal, progress reporter).
   * - A handle without a promise starts as `pending`; drive it with `startTask`, `updateTaskProgress`,
   *   `completeTask` and `failTask`.
   *
   * An id whose task has not finished (on any instance sharing the task store) is refused with
   * TaskAlreadyActiveError; a finished one starts a new run with `retryCount` one higher and its old result
   * removed. Past `maxActiveTasks`, TooManyTasksError.
   */
  registerTask(refId: string, task: TaskInput, options?: RegisterTaskOptions): Promise<TaskInfo> {
    return this.#tasks.register(refId, task, options);
  }

  /** Moves a `pending` task to `processing`. */
  startTask(refId: string, options?: RunOptions): Promise<TaskInfo> {
    return this.#tasks.start(refId, options);
  }

  /**
   * Records progress: given fields replace the stored ones. A `pending` task moves to `processing`. A
   * function computes the update from the current progress; when another write wins the race it is called
   * again with the newer progress, so concurrent read-modify-write updates never lose one another.
   */
  updateTaskProgress(
    refId: string,
    update: TaskProgressUpdate | ProgressUpdater,
    options?: RunOptions,
  ): Promise<TaskInfo> {
    return this.#tasks.updateProgress(refId, update, options);
  }

  /** Stores `result` under the task's ref id and marks it complete, in one atomic step. */
  completeTask(refId: string, result: unknown, options?: CompleteTaskOptions): Promise<TaskInfo> {
    return this.#tasks.complete(refId, result, options);
  }

  /** Marks the task failed with the error's message, kept until the task is cleaned up. */
  failTask(refId: string, error: unknown, options?: RunOptions): Promise<TaskInfo> {
    return this.#tasks.fail(refId, error, options);
  }

  /**
   * Marks the task cancelled. The work's AbortController is aborted (with `reason`) and the handle's `cancel`
   * called on whichever instance runs it: at once with a store that has `subscribe`, else within a third
   * of `taskLeaseMs`.
   */
  cancelTask(refId: string, reason?: unknown, options?: OwnerOptions): Promise<TaskInfo> {
    return this.#tasks.cancel(refId, reason, options);
  }

  /**
   * The task as the task store holds it (the truth, shared by all instances), or `undefined`. A task whose
   * lease ran out (on the store's clock) is failed as "worker lost" on the way.
   */
  getTask(refId: string, options?: OwnerOptions): Promise<TaskInfo | undefined> {
    return this.#tasks.reads.get(refId, options);
  }

  /**
   * Synchronous local view of a task: read from an in-process store directly, otherwise the state this
   * instance last wrote or saw (it may lag behind other instances' changes, but never shows alive a task
   * this instance saw lost). Cheap, for polling; use `getTask` for the shared truth.
   */
  getTaskStatus(refId: string): TaskInfo | undefined {
    return this.#tasks.reads.peek(refId);
  }

  /**
   * A page of tasks from the task store, filtered by status and owner; pass `nextCursor` back for more.
   * Lost workers' tasks are failed first, so a page never lists one as running (a page may hold fewer than
   * `limit` tasks).
   */
  queryTasks(options: TaskQueryOptions = {}): Promise<{ tasks: TaskInfo[]; nextCursor?: string }> {
    return this.#tasks.reads.query(options);
  }

  /** Synchronous local view of tasks (see `getTaskStatus`), optionally only those in the given statuses. */
  listTasks(filter: { status?: TaskStatus | TaskStatus[] } = {}): TaskInfo[] {
    return this.#tasks.reads.list(filter);
  }

  /**
   * Resolves with the task once it has finished, or with its state when `timeoutMs` passes or `signal`
   * aborts; `undefined` when there is no such task (for this owner). When the last read fails (the cache
   * closed meanwhile, the store is away), with the last state it learned, never `undefined` for a task that
   * was there.
   */
  async waitForTask(refId: string, options: WaitForTaskOptions): Promise<TaskInfo | undefined> {
    const { timeoutMs, owner, signal } = parseOrThrow(WaitOptionsSchema, options, "wait options");
    const scope = owner === undefined ? {} : { owner };
    const first = await this.getTask(refId, scope);
    if (first === undefined || isTerminalStatus(first.status) || timeoutMs === 0 || signal?.aborted) return first;
    return new Promise<TaskInfo | undefined>((resolve) => {
      /** The task as last read or told of. */
      let last: TaskInfo = first;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        unsubscribe();
        globalThis.clearTimeout(timer);
        if (poll !== undefined) globalThis.clearInterval(poll);
        signal?.removeEventListener("abort", finish);
        this.getTask(refId, scope).then(resolve, () => resolve(last));
      };
      const unsubscribe = this.onTaskChange((info) => {
        if (info.refId !== refId || !isVisibleTo(info, owner)) return;
        last = info;
        if (isTerminalStatus(info.status)) finish();
      });
      const timer = globalThis.setTimeout(finish, timeoutMs);
      const check = () => {
        this.getTask(refId, scope).then(
          (info) => {
            if (done) return; // a read that lands after the wait ended must not change what it resolves with
            if (info !== undefined) last = info;
            if (info === undefined || isTerminalStatus(info.status)) finish();
          },
          () => {},
        );
      };
      const poll =
        this.#ctx.taskStore.subscribe === undefined ? globalThis.setInterval(check, WAIT_POLL_MS) : undefined;
      signal?.addEventListener("abort", finish);
      check(); // it may have finished between the first read and the subscription
    });
  }

  /**
   * Removes complete, failed and cancelled tasks that finished at least `maxAgeMs` ago as the task store's
   * clock measures it (default: the cache's `taskRetentionMs`), oldest first, in chunks. Active tasks are never removed; results keep their own TTL.
   * Resolves to how many tasks were removed.
   */
  async cleanupTasks(maxAgeMs: number = this.taskRetentionMs): Promise<number> {
    const maxAge = parseOrThrow(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), maxAgeMs, "max age");
    this.#ctx.assertOpen();
    return this.#maintenance.removeFinished(maxAge);
  }

  /**
   * Calls `listener` with a copy of a task's state after each change made here, and after changes made by
   * other instances when the task store can tell of them (`subscribe`), in the order the task changed: a
   * change that reaches this instance after a newer state of the same run, or after a later run of the id
   * (`retryCount`), is skipped, never told last.
   * Returns a function that unsubscribes. A listener that throws or rejects disturbs neither the cache nor
   * other listeners.
   */
  onTaskChange(listener: TaskListener): () => void {
    const unsubscribe = this.#tasks.onChange(listener);
    this.#maintenance.subscribe();
    return unsubscribe;
  }

  /**
   * Stops background work, waits for store calls in flight (registrations included; never for user code),
   * cancels every task this instance runs (aborting its work) and closes the stores if the cache created
   * them. Later calls (but for `getTaskStatus`/`listTasks`) throw CacheClosedError. Every call returns the
   * same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#ctx.closed = true;
    this.#maintenance.stop();
    this.#values.forgetDecoded();
    await this.#ctx.drain();
    await this.#tasks.runs.cancelAll("cache closed");
    await this.#ctx.drain();
    if (this.#ctx.ownsStores) {
      await Promise.allSettled([this.#ctx.taskStore.close?.(), this.#ctx.store.close?.()]);
    }
  }
}
