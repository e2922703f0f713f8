import { z } from "zod";
import { type Clock, systemClock } from "./clock.js";
import {
  CacheClosedError,
  errorMessage,
  IllegalTransitionError,
  KeyOwnedByTaskError,
  parseOrThrow,
  RefCacheError,
  StoreError,
  TaskAlreadyActiveError,
  TaskNotFoundError,
  ValidationError,
} from "./errors.js";
import { KeyedMutex } from "./keyed-mutex.js";
import {
  type CacheEntryInfo,
  cacheEntryInfo,
  isTerminalStatus,
  RefIdSchema,
  type SetOptions,
  SetOptionsSchema,
  type TaskInfo,
  type TaskProgress,
  TaskProgressSchema,
  type TaskProgressUpdate,
  TaskProgressUpdateSchema,
  type TaskStatus,
  TaskStatusSchema,
  TtlSchema,
} from "./models.js";
import { MemoryStore, type Store, type StoreEntry, type StoreEntryMeta } from "./store.js";
import { type IntervalHandle, startBackgroundInterval } from "./timer.js";

/** Which status a task may move to from each status. Terminal statuses allow nothing. */
export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ["processing", "complete", "failed", "cancelled"],
  processing: ["processing", "complete", "failed", "cancelled"],
  complete: [],
  failed: [],
  cancelled: [],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/** Longest error message kept on a failed task; longer ones are cut. */
export const TASK_ERROR_MAX_LENGTH = 4000;

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const isClock = (v: unknown): v is Clock =>
  typeof v === "object" && v !== null && typeof (v as { now?: unknown }).now === "function";

const isStore = (v: unknown): v is Store =>
  typeof v === "object" &&
  v !== null &&
  ["get", "set", "delete"].every((m) => typeof (v as Record<string, unknown>)[m] === "function");

export const RefCacheOptionsSchema = z.strictObject({
  /** Names the cache; prefixes the ids of `newRefId()`. */
  name: z
    .string()
    .regex(NAME_PATTERN, "name may hold 1–64 letters, digits and . _ - and must start with a letter or digit")
    .default("refcache"),
  /** How often finished tasks older than the retention are removed (ms). */
  taskCleanupIntervalMs: z.number().int().positive().default(60_000),
  /** How long a finished task's status (and error) stays readable (ms). */
  taskRetentionMs: z.number().int().nonnegative().default(300_000),
  /** Time to live of stored values when a write names none (ms); `null` keeps them until deleted. */
  defaultTtlMs: TtlSchema.default(3_600_000),
  /** Source of time; defaults to `Date.now`. */
  clock: z.custom<Clock>(isClock, "clock must be an object with a now() method").optional(),
  /** Storage backend; defaults to a new `MemoryStore`. */
  store: z.custom<Store>(isStore, "store must implement get, set and delete").optional(),
});
export type RefCacheOptions = z.input<typeof RefCacheOptionsSchema>;

/** Handed to a task function: its abort signal and a way to report progress. */
export interface TaskContext {
  readonly refId: string;
  /** Aborted when the task is cancelled or the cache closes. */
  readonly signal: AbortSignal;
  /**
   * Records progress. Resolves to the new TaskInfo, or to `undefined` once the task has finished or
   * was cancelled (check `signal`). Rejects with a ValidationError on bad progress.
   */
  reportProgress(update: TaskProgressUpdate): Promise<TaskInfo | undefined>;
}

/** Work the cache starts itself, with a signal to stop it and a way to report progress. */
export type TaskFunction = (context: TaskContext) => unknown;

/** Work already running elsewhere, with the means to stop it. */
export interface TaskHandle {
  /** Settles when the work does: fulfilment completes the task with its value, rejection fails it. */
  promise?: PromiseLike<unknown>;
  /** Aborted on cancellation. */
  abortController?: AbortController;
  /** Called on cancellation, after the status is already `cancelled`. */
  cancel?: (reason: unknown) => unknown;
}

/** What `registerTask` accepts: a promise, a handle, or a function the cache starts. */
export type TaskInput = PromiseLike<unknown> | TaskHandle | TaskFunction;

export const RegisterTaskOptionsSchema = z.strictObject({
  /** Time to live of the result once the task completes by itself (ms); defaults to `defaultTtlMs`. */
  ttlMs: TtlSchema.optional(),
});
export type RegisterTaskOptions = z.input<typeof RegisterTaskOptionsSchema>;

/**
 * Computes a progress update from the current progress. It may return the progress it was given with
 * fields changed: the derived `percentage` is dropped and recomputed.
 */
export type ProgressUpdater = (
  current: TaskProgress | undefined,
) => TaskProgressUpdate | TaskProgress | PromiseLike<TaskProgressUpdate | TaskProgress>;

export type TaskListener = (info: TaskInfo) => void;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === "object" || typeof v === "function") &&
  v !== null &&
  typeof (v as { then?: unknown }).then === "function";

const TaskHandleSchema = z.strictObject({
  promise: z.custom<PromiseLike<unknown>>(isThenable, "promise must be a Promise or thenable").optional(),
  abortController: z.instanceof(AbortController, { message: "abortController must be an AbortController" }).optional(),
  cancel: z
    .custom<(reason: unknown) => unknown>((v) => typeof v === "function", "cancel must be a function")
    .optional(),
});

interface TaskRecord {
  info: TaskInfo;
  /** Tells registrations of the same id apart, so a late settlement of an old run is ignored. */
  generation: number;
  abortController: AbortController | undefined;
  cancel: ((reason: unknown) => unknown) | undefined;
  resultTtlMs: number | null | undefined;
}

function copyInfo(info: TaskInfo): TaskInfo {
  return info.progress === undefined ? { ...info } : { ...info, progress: { ...info.progress } };
}

/** An updater may hand back the progress it was given, derived percentage included; drop that field. */
function withoutPercentage(value: unknown): unknown {
  if (typeof value !== "object" || value === null || !("percentage" in value)) return value;
  const { percentage: _derived, ...rest } = value as Record<string, unknown>;
  return rest;
}

function truncate(message: string): string {
  return message.length <= TASK_ERROR_MAX_LENGTH ? message : `${message.slice(0, TASK_ERROR_MAX_LENGTH - 1)}…`;
}

function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  return Array.from(buffer, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A reference cache with a task registry: store values under short ref ids, and track background work
 * whose result will land under its ref id when done.
 *
 * Every mutation of one id (task transitions, progress, cache writes) runs through a per-id queue, in
 * call order, so concurrent callers never lose an update. `getTaskStatus` is synchronous and cheap,
 * for polling.
 */
export class RefCache {
  readonly name: string;
  readonly taskCleanupIntervalMs: number;
  readonly taskRetentionMs: number;
  readonly defaultTtlMs: number | null;

  readonly #clock: Clock;
  readonly #store: Store;
  readonly #ownsStore: boolean;
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #mutex = new KeyedMutex();
  readonly #listeners = new Set<TaskListener>();
  #generation = 0;
  #cleanupLoop: IntervalHandle | undefined;
  #closed = false;

  constructor(options: RefCacheOptions = {}) {
    const parsed = parseOrThrow(RefCacheOptionsSchema, options, "RefCache options");
    this.name = parsed.name;
    this.taskCleanupIntervalMs = parsed.taskCleanupIntervalMs;
    this.taskRetentionMs = parsed.taskRetentionMs;
    this.defaultTtlMs = parsed.defaultTtlMs;
    this.#clock = parsed.clock ?? systemClock;
    this.#ownsStore = parsed.store === undefined;
    this.#store = parsed.store ?? new MemoryStore();
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the periodic clean-up is running. */
  get cleanupRunning(): boolean {
    return this.#cleanupLoop !== undefined;
  }

  /** A new, unguessable ref id: `<name>:<32 hex digits>`. */
  newRefId(): string {
    return `${this.name}:${randomHex(16)}`;
  }

  // ---------------------------------------------------------------- cache

  /** Stores `value` under `key`, replacing what was there. `undefined` cannot be stored. */
  async set(key: string, value: unknown, options: SetOptions = {}): Promise<CacheEntryInfo> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    const opts = parseOrThrow(SetOptionsSchema, options, "set options", id);
    this.#assertOpen();
    return this.#mutex.run(id, async () => {
      this.#assertOpen();
      const task = this.#tasks.get(id);
      if (task !== undefined && !isTerminalStatus(task.info.status)) throw new KeyOwnedByTaskError(id);
      return this.#write(id, value, opts.ttlMs);
    });
  }

  /** The value stored under `key`, or `undefined` when there is none or it expired. */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    this.#assertOpen();
    const entry = await this.#read(id);
    return entry?.value as T | undefined;
  }

  /** Like `get`, with the entry's timestamps. */
  async getEntry<T = unknown>(key: string): Promise<(CacheEntryInfo & { value: T }) | undefined> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    this.#assertOpen();
    const entry = await this.#read(id);
    if (entry === undefined) return undefined;
    return { ...cacheEntryInfo(id, entry), value: entry.value as T };
  }

  /** Whether a value that has not expired is stored under `key`. Does not read the value if the store has `stat`. */
  async has(key: string): Promise<boolean> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    this.#assertOpen();
    return (await this.#liveMeta(id)) !== undefined;
  }

  /** Deletes the value under `key`; returns whether there was one. A running task's key cannot be deleted. */
  async delete(key: string): Promise<boolean> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    this.#assertOpen();
    return this.#mutex.run(id, async () => {
      this.#assertOpen();
      const task = this.#tasks.get(id);
      if (task !== undefined && !isTerminalStatus(task.info.status)) throw new KeyOwnedByTaskError(id);
      const live = await this.#liveMeta(id);
      await this.#storeCall(id, () => this.#store.delete(id));
      return live !== undefined;
    });
  }

  // ---------------------------------------------------------------- tasks

  /**
   * Registers background work under `refId` and returns its TaskInfo.
   *
   * - A promise (or a handle with `promise`) starts as `processing`; when it settles the task completes
   *   with its value (stored under `refId`) or fails with its error.
   * - A function is called at once with a `TaskContext` (abort signal, progress reporter); its return
   *   value is treated like a promise.
   * - A handle without a promise starts as `pending`; drive it with `startTask`, `updateTaskProgress`,
   *   `completeTask` and `failTask`.
   *
   * Registering an id whose task has not finished throws TaskAlreadyActiveError. Registering a finished
   * id again starts a new run with `retryCount` one higher and removes the old result.
   */
  async registerTask(refId: string, task: TaskInput, options: RegisterTaskOptions = {}): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const opts = parseOrThrow(RegisterTaskOptionsSchema, options, "register options", id);
    const input = this.#parseTaskInput(task, id);
    this.#assertOpen();
    return this.#mutex.run(id, async () => {
      this.#assertOpen();
      const previous = this.#tasks.get(id);
      if (previous !== undefined && !isTerminalStatus(previous.info.status)) {
        throw new TaskAlreadyActiveError(id, previous.info.status);
      }
      // The key now belongs to this run: a value left from before must not pass for its result.
      await this.#storeCall(id, () => this.#store.delete(id));

      const now = this.#clock.now();
      const abortController =
        input.kind === "function"
          ? new AbortController()
          : input.kind === "handle"
            ? input.handle.abortController
            : undefined;
      const record: TaskRecord = {
        info: {
          refId: id,
          status: input.kind === "handle" && input.handle.promise === undefined ? "pending" : "processing",
          startedAt: now,
          updatedAt: now,
          retryCount: previous === undefined ? 0 : previous.info.retryCount + 1,
        },
        generation: ++this.#generation,
        abortController,
        cancel: input.kind === "handle" ? input.handle.cancel : undefined,
        resultTtlMs: opts.ttlMs,
      };
      this.#tasks.set(id, record);
      this.#ensureCleanupLoop();
      this.#emit(record);

      const work =
        input.kind === "function"
          ? this.#start(record, input.fn)
          : input.kind === "promise"
            ? input.promise
            : input.handle.promise;
      if (work !== undefined) this.#settleWhenDone(id, record.generation, work);
      return copyInfo(record.info);
    });
  }

  /** Moves a `pending` task to `processing`. */
  async startTask(refId: string): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    return this.#mutate(id, (record) => {
      if (record.info.status !== "pending") throw new IllegalTransitionError(id, record.info.status, "processing");
      this.#transition(record, "processing");
    });
  }

  /**
   * Records progress. Given fields replace the stored ones; the others are kept. A `pending` task moves
   * to `processing`. Pass a function to compute the update from the current progress: it runs under
   * the id's lock, so concurrent read-modify-write updates never lose one another (and every other
   * mutation of the id waits for it: keep it short).
   */
  async updateTaskProgress(refId: string, update: TaskProgressUpdate | ProgressUpdater): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const direct =
      typeof update === "function" ? undefined : parseOrThrow(TaskProgressUpdateSchema, update, "progress", id);
    return this.#mutate(id, async (record) => {
      this.#assertTransition(record, "processing");
      const raw =
        direct ??
        parseOrThrow(
          TaskProgressUpdateSchema,
          withoutPercentage(await (update as ProgressUpdater)(record.info.progress && { ...record.info.progress })),
          "progress",
          id,
        );
      const { percentage: _derived, ...kept } = record.info.progress ?? {};
      const merged = { ...kept };
      for (const [field, value] of Object.entries(raw)) {
        if (value !== undefined) Object.assign(merged, { [field]: value });
      }
      record.info.progress = parseOrThrow(TaskProgressSchema, merged, "progress", id);
      this.#transition(record, "processing");
    });
  }

  /** Stores `result` under the task's ref id and marks it complete. */
  async completeTask(refId: string, result: unknown, options: SetOptions = {}): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const opts = parseOrThrow(SetOptionsSchema, options, "complete options", id);
    return this.#mutate(id, async (record) => {
      this.#assertTransition(record, "complete");
      await this.#write(id, result, opts.ttlMs === undefined ? record.resultTtlMs : opts.ttlMs);
      this.#transition(record, "complete");
    });
  }

  /** Marks the task failed with the error's message, kept until the task is cleaned up. */
  async failTask(refId: string, error: unknown): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    return this.#mutate(id, (record) => {
      this.#assertTransition(record, "failed");
      this.#transition(record, "failed", errorMessage(error));
    });
  }

  /**
   * Marks the task cancelled, then aborts its AbortController (with `reason`) and calls the handle's
   * `cancel`. A settlement of the work that comes later is ignored.
   */
  async cancelTask(refId: string, reason?: unknown): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    return this.#mutate(id, (record) => {
      this.#assertTransition(record, "cancelled");
      this.#cancel(record, reason);
    });
  }

  /** A copy of the task's current state, or `undefined` when no task is registered under `refId`. */
  getTaskStatus(refId: string): TaskInfo | undefined {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const record = this.#tasks.get(id);
    return record === undefined ? undefined : copyInfo(record.info);
  }

  /** Copies of all registered tasks, optionally only those in the given statuses. */
  listTasks(filter: { status?: TaskStatus | TaskStatus[] } = {}): TaskInfo[] {
    const wanted =
      filter.status === undefined
        ? undefined
        : parseOrThrow(TaskStatusSchema.array(), [filter.status].flat(), "status filter");
    const out: TaskInfo[] = [];
    for (const record of this.#tasks.values()) {
      if (wanted === undefined || wanted.includes(record.info.status)) out.push(copyInfo(record.info));
    }
    return out;
  }

  /**
   * Removes complete, failed and cancelled tasks that finished at least `maxAgeMs` ago (default: the
   * cache's `taskRetentionMs`). Active tasks are never removed; stored results keep their own TTL.
   * Returns how many tasks were removed.
   */
  cleanupTasks(maxAgeMs: number = this.taskRetentionMs): number {
    const maxAge = parseOrThrow(z.number().nonnegative(), maxAgeMs, "max age");
    const now = this.#clock.now();
    let removed = 0;
    for (const [id, record] of this.#tasks) {
      const { completedAt } = record.info;
      if (completedAt !== undefined && now - completedAt >= maxAge) {
        this.#tasks.delete(id);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Calls `listener` with a copy of a task's state after each change, in the order of the changes.
   * Returns a function that unsubscribes. A listener that throws does not disturb the cache or others.
   */
  onTaskChange(listener: TaskListener): () => void {
    if (typeof listener !== "function") {
      throw ValidationError.single("listener", "listener must be a function", "invalid_type");
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Stops the periodic clean-up, cancels every unfinished task (aborting its work) and closes the store
   * if the cache created it. Later calls (but for `getTaskStatus`/`listTasks`) throw CacheClosedError.
   * Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cleanupLoop?.stop();
    this.#cleanupLoop = undefined;
    const active = [...this.#tasks.values()].filter((r) => !isTerminalStatus(r.info.status)).map((r) => r.info.refId);
    await Promise.all(
      active.map((id) =>
        this.#mutex.run(id, () => {
          const record = this.#tasks.get(id);
          if (record !== undefined && !isTerminalStatus(record.info.status)) this.#cancel(record, "cache closed");
        }),
      ),
    );
    if (this.#ownsStore) await this.#store.close?.();
  }

  // ---------------------------------------------------------------- internals

  #assertOpen(): void {
    if (this.#closed) throw new CacheClosedError(this.name);
  }

  #assertTransition(record: TaskRecord, to: TaskStatus): void {
    if (!canTransition(record.info.status, to))
      throw new IllegalTransitionError(record.info.refId, record.info.status, to);
  }

  /** Runs `change` on the task's record under the id's lock, then returns a copy of its state. */
  #mutate(id: string, change: (record: TaskRecord) => void | Promise<void>): Promise<TaskInfo> {
    this.#assertOpen();
    return this.#mutex.run(id, async () => {
      this.#assertOpen();
      const record = this.#tasks.get(id);
      if (record === undefined) throw new TaskNotFoundError(id);
      await change(record);
      return copyInfo(record.info);
    });
  }

  #transition(record: TaskRecord, to: TaskStatus, error?: string): void {
    const now = this.#clock.now();
    record.info.status = to;
    record.info.updatedAt = now;
    if (isTerminalStatus(to)) record.info.completedAt = now;
    if (error !== undefined) record.info.error = truncate(error);
    this.#emit(record);
  }

  #cancel(record: TaskRecord, reason: unknown): void {
    this.#transition(record, "cancelled", reason === undefined ? undefined : errorMessage(reason));
    try {
      record.abortController?.abort(reason);
      const outcome = record.cancel?.(reason);
      if (isThenable(outcome)) outcome.then(undefined, () => {});
    } catch {
      // The task is cancelled whatever its own clean-up does; an error there is the task's to report.
    }
  }

  #emit(record: TaskRecord): void {
    for (const listener of this.#listeners) {
      try {
        listener(copyInfo(record.info));
      } catch {
        // A faulty listener must not break the mutation that triggered it.
      }
    }
  }

  #parseTaskInput(
    task: unknown,
    refId: string,
  ):
    | { kind: "promise"; promise: PromiseLike<unknown> }
    | { kind: "function"; fn: TaskFunction }
    | { kind: "handle"; handle: TaskHandle } {
    if (typeof task === "function") return { kind: "function", fn: task as TaskFunction };
    if (isThenable(task)) return { kind: "promise", promise: task };
    const handle = parseOrThrow(
      TaskHandleSchema,
      task,
      "task (expected a Promise, a task function or a handle)",
      refId,
    );
    return { kind: "handle", handle };
  }

  /** Calls a task function with its context; a synchronous throw becomes a rejection. */
  #start(record: TaskRecord, fn: TaskFunction): PromiseLike<unknown> {
    const { refId } = record.info;
    const { generation } = record;
    const context: TaskContext = {
      refId,
      signal: (record.abortController as AbortController).signal,
      reportProgress: async (update) => {
        try {
          return await this.updateTaskProgress(refId, update);
        } catch (error) {
          const stale = this.#tasks.get(refId)?.generation !== generation;
          if (stale || error instanceof IllegalTransitionError || error instanceof CacheClosedError) return undefined;
          throw error;
        }
      },
    };
    try {
      return Promise.resolve(fn(context));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Completes or fails the task when its work settles, unless it finished otherwise meanwhile. */
  #settleWhenDone(id: string, generation: number, work: PromiseLike<unknown>): void {
    const settle = (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) =>
      this.#mutex
        .run(id, async () => {
          const record = this.#tasks.get(id);
          if (
            this.#closed ||
            record === undefined ||
            record.generation !== generation ||
            isTerminalStatus(record.info.status)
          ) {
            return;
          }
          if (!outcome.ok) {
            this.#transition(record, "failed", errorMessage(outcome.error));
            return;
          }
          try {
            await this.#write(id, outcome.value, record.resultTtlMs);
            this.#transition(record, "complete");
          } catch (error) {
            this.#transition(record, "failed", `result could not be stored: ${errorMessage(error)}`);
          }
        })
        .catch(() => {
          // Nothing above throws but a listener-proof transition; keep a stray rejection from escaping.
        });
    Promise.resolve(work).then(
      (value) => settle({ ok: true, value }),
      (error: unknown) => settle({ ok: false, error }),
    );
  }

  #expired(meta: StoreEntryMeta): boolean {
    return meta.expiresAt !== undefined && meta.expiresAt <= this.#clock.now();
  }

  /** The entry under `id` unless it is missing or expired (an expired one is removed in the background). */
  async #read(id: string): Promise<StoreEntry | undefined> {
    return this.#unlessExpired(id, await this.#storeCall(id, () => this.#store.get(id)));
  }

  /** Like `#read` but for the timestamps only, without reading the value where the store allows. */
  async #liveMeta(id: string): Promise<StoreEntryMeta | undefined> {
    return this.#unlessExpired(id, await this.#storeCall(id, () => this.#stat(id)));
  }

  #stat(id: string): Promise<StoreEntryMeta | undefined> {
    return this.#store.stat === undefined ? this.#store.get(id) : this.#store.stat(id);
  }

  #unlessExpired<E extends StoreEntryMeta>(id: string, entry: E | undefined): E | undefined {
    if (entry === undefined || !this.#expired(entry)) return entry;
    void this.#dropIfExpired(id);
    return undefined;
  }

  /** Deletes an expired entry under the id's lock, looking again first so a fresh write is never lost. */
  async #dropIfExpired(id: string): Promise<void> {
    await this.#mutex
      .run(id, async () => {
        const meta = await this.#stat(id);
        if (meta !== undefined && this.#expired(meta)) await this.#store.delete(id);
      })
      .catch(() => {
        // Best effort: the periodic prune or the next read tries again.
      });
  }

  async #write(id: string, value: unknown, ttlMs: number | null | undefined): Promise<CacheEntryInfo> {
    if (value === undefined) {
      throw ValidationError.single("value", "undefined cannot be stored; use null", "invalid_type", id);
    }
    const createdAt = this.#clock.now();
    const effectiveTtl = ttlMs === undefined ? this.defaultTtlMs : ttlMs;
    const entry: StoreEntry = { value, createdAt };
    if (effectiveTtl !== null) entry.expiresAt = createdAt + effectiveTtl;
    await this.#storeCall(id, () => this.#store.set(id, entry));
    if (entry.expiresAt !== undefined) this.#ensureCleanupLoop();
    return cacheEntryInfo(id, entry);
  }

  /** Runs a store call, turning its failures into typed errors. */
  async #storeCall<T>(id: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof RefCacheError) throw error;
      if (error instanceof Error && error.name === "DataCloneError") {
        throw ValidationError.single("value", `value cannot be stored: ${error.message}`, "custom", id);
      }
      throw new StoreError(`Store failed for "${id}": ${errorMessage(error)}`, id, error);
    }
  }

  #ensureCleanupLoop(): void {
    if (this.#cleanupLoop !== undefined || this.#closed) return;
    this.#cleanupLoop = startBackgroundInterval(() => this.#periodicCleanup(), this.taskCleanupIntervalMs);
  }

  #periodicCleanup(): void {
    this.cleanupTasks();
    if (this.#store.prune !== undefined) {
      this.#store.prune(this.#clock.now()).then(undefined, () => {
        // A failing prune is retried on the next tick; reads still hide expired values.
      });
    }
  }
}
