/**
 * The task half of a RefCache: registration, transitions, reads and listeners, over the shared task
 * store. The store holds the truth; this instance keeps only its own runs (see local-runs.ts).
 */

import * as z from "zod";
import { type CacheContext, randomHex } from "./cache-context.js";
import {
  errorMessage,
  IllegalTransitionError,
  optionalFields,
  parseOrThrow,
  TaskAlreadyActiveError,
  TooManyTasksError,
  ValidationError,
  withFastPath,
} from "./errors.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { LocalRuns } from "./local-runs.js";
import {
  isOwner,
  isTerminalStatus,
  isTtl,
  OwnerSchema,
  RefIdSchema,
  SetOptionsSchema,
  type TaskInfo,
  TaskProgressUpdateSchema,
  TaskStatusSchema,
  TtlSchema,
} from "./models.js";
import { mergeProgress } from "./progress.js";
import { isThenable, type ProgressUpdater, parseTaskInput, type TaskContext, type TaskInput } from "./task-input.js";
import type { StoredTask, TaskChange } from "./task-store.js";
import { ownerMatches, TaskWriter, toTaskInfo, WORKER_LOST_MESSAGE } from "./task-writer.js";
import type { ValueCache } from "./value-cache.js";

/** Options of `registerTask`: the result's time to live and the task's owner, as for a cache write. */
export const RegisterTaskOptionsSchema = SetOptionsSchema;
export type RegisterTaskOptions = z.input<typeof RegisterTaskOptionsSchema>;

const isRunId = (v: unknown): boolean => typeof v === "string" && v.length >= 1 && v.length <= 64;

const RunOptionsSchema = withFastPath(
  z.strictObject({
    /** Refuse the call (StaleRunError) unless this is the task's current run. */
    runId: z.string().min(1).max(64).optional(),
  }),
  optionalFields({ runId: isRunId }),
);
export type RunOptions = z.input<typeof RunOptionsSchema>;

const CompleteOptionsSchema = withFastPath(
  RunOptionsSchema.extend({ ttlMs: TtlSchema.optional() }),
  optionalFields({ runId: isRunId, ttlMs: isTtl }),
);
export type CompleteTaskOptions = z.input<typeof CompleteOptionsSchema>;

const OwnerOptionsSchema = withFastPath(
  z.strictObject({ owner: OwnerSchema.optional() }),
  optionalFields({ owner: isOwner }),
);
export type OwnerOptions = z.input<typeof OwnerOptionsSchema>;

export const TaskQuerySchema = z.strictObject({
  status: z.union([TaskStatusSchema, TaskStatusSchema.array().max(5)]).optional(),
  owner: OwnerSchema.optional(),
  cursor: z.string().min(1).max(1024).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type TaskQueryOptions = z.input<typeof TaskQuerySchema>;

const ListFilterSchema = z.strictObject({ status: TaskQuerySchema.shape.status }, "filter must be an object");

export type TaskListener = (info: TaskInfo) => unknown;

const asList = <T>(v: T | T[] | undefined): T[] | undefined => (v === undefined ? undefined : ([v].flat() as T[]));

export class TaskRegistry {
  readonly #ctx: CacheContext;
  readonly #values: ValueCache;
  readonly #writer: TaskWriter;
  readonly runs: LocalRuns;
  readonly #listeners = new Set<TaskListener>();
  readonly #updaters = new KeyedMutex();
  /** The local view for stores that cannot be read synchronously: tasks this instance ran or saw change. */
  readonly #seen = new Map<string, TaskInfo>();

  constructor(context: CacheContext, values: ValueCache) {
    this.#ctx = context;
    this.#values = values;
    this.#writer = new TaskWriter(context, (task) => this.#written(task));
    this.runs = new LocalRuns(context, this.#writer, values);
  }

  async register(refId: string, task: TaskInput, options: RegisterTaskOptions): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const opts = parseOrThrow(RegisterTaskOptionsSchema, options, "register options", id);
    const input = parseTaskInput(task, id);
    this.#ctx.assertOpen();
    return this.#ctx.track(this.#create(id, input, opts));
  }

  async #create(
    id: string,
    input: ReturnType<typeof parseTaskInput>,
    opts: z.output<typeof RegisterTaskOptionsSchema>,
  ): Promise<TaskInfo> {
    const now = this.#ctx.now();
    const draft: StoredTask = {
      refId: id,
      status: input.kind === "handle" && input.handle.promise === undefined ? "pending" : "processing",
      startedAt: now,
      updatedAt: now,
      retryCount: 0,
      runId: randomHex(8),
      version: 0,
      leaseExpiresAt: now + this.#ctx.taskLeaseMs,
    };
    if (opts.owner !== undefined) draft.owner = opts.owner;
    if (opts.ttlMs !== undefined) draft.resultTtlMs = opts.ttlMs;
    const { maxActiveTasks } = this.#ctx;
    const { taskStore, instanceId } = this.#ctx;
    const createOptions = maxActiveTasks === undefined ? {} : { maxActiveTasks };
    const outcome =
      taskStore.createNow?.(draft, createOptions, instanceId) ??
      (await this.#ctx.storeCall(id, () => taskStore.create(draft, createOptions, instanceId)));
    if (!outcome.ok) {
      if (outcome.reason === "active") throw new TaskAlreadyActiveError(id, outcome.current.status);
      throw new TooManyTasksError(id, maxActiveTasks ?? 0);
    }
    const stored = outcome.task;
    const abortController =
      input.kind === "function"
        ? new AbortController()
        : input.kind === "handle"
          ? input.handle.abortController
          : undefined;
    const run = {
      refId: id,
      runId: stored.runId,
      abortController,
      cancel: input.kind === "handle" ? input.handle.cancel : undefined,
      settled: false,
    };
    this.runs.add(run);
    this.#written(stored);
    const work =
      input.kind === "function"
        ? this.#start(stored, input.fn, abortController as AbortController)
        : input.kind === "promise"
          ? input.promise
          : input.handle.promise;
    if (work !== undefined) this.runs.settleWhenDone(run, work, opts.ttlMs, opts.owner);
    return toTaskInfo(stored, now);
  }

  /** Calls a task function with its context; a synchronous throw becomes a rejection. */
  #start(task: StoredTask, fn: (context: TaskContext) => unknown, controller: AbortController): PromiseLike<unknown> {
    const { refId, runId } = task;
    const context: TaskContext = {
      refId,
      runId,
      signal: controller.signal,
      reportProgress: async (update) => {
        try {
          return await this.updateProgress(refId, update, { runId });
        } catch (error) {
          if (error instanceof ValidationError) throw error;
          return undefined; // finished, cancelled, replaced, closed: the signal tells the work
        }
      },
    };
    try {
      return Promise.resolve(fn(context));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async start(refId: string, options: RunOptions): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const { runId } = parseOrThrow(RunOptionsSchema, options, "options", id);
    return this.#change(id, { runId }, (cur) => {
      if (cur.status !== "pending") throw new IllegalTransitionError(id, cur.status, "processing");
      return { task: this.#writer.transition(cur, "processing") };
    });
  }

  async updateProgress(refId: string, update: unknown, options: RunOptions): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const { runId } = parseOrThrow(RunOptionsSchema, options, "options", id);
    const direct =
      typeof update === "function" ? undefined : parseOrThrow(TaskProgressUpdateSchema, update, "progress", id);
    const apply = (cur: StoredTask, raw: unknown) => {
      const task = this.#writer.transition(cur, "processing");
      task.progress = mergeProgress(cur.progress, raw, id);
      return { task };
    };
    const write = () =>
      this.#change(id, { runId }, (cur) => {
        if (direct !== undefined) return apply(cur, direct);
        this.#writer.transition(cur, "processing"); // refuses finished tasks before user code runs
        const raw = (update as ProgressUpdater)(cur.progress && { ...cur.progress });
        if (!isThenable(raw)) return apply(cur, raw);
        // Updaters take turns, so what wrote meanwhile was a plain update, a finish or a cancel: lay the
        // updater's fields over that newer state (or be refused by it) rather than run user code again.
        return Promise.resolve(raw).then((r) => ({ ...apply(cur, r), rebase: (fresh: StoredTask) => apply(fresh, r) }));
      });
    // Updaters of one id take turns, so racing read-modify-writes do not keep recomputing; nothing else
    // (cancel, complete, plain updates, close) waits for them.
    return direct === undefined ? this.#updaters.run(id, write) : write();
  }

  async complete(refId: string, result: unknown, options: CompleteTaskOptions): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const opts = parseOrThrow(CompleteOptionsSchema, options, "complete options", id);
    return this.#change(id, { runId: opts.runId }, (cur) => {
      const task = this.#writer.transition(cur, "complete");
      const entry = this.#values.entryFor(
        id,
        result,
        opts.ttlMs === undefined ? cur.resultTtlMs : opts.ttlMs,
        cur.owner,
      );
      if (entry.expiresAt !== undefined) task.resultExpiresAt = entry.expiresAt;
      return { task, result: entry };
    });
  }

  async fail(refId: string, error: unknown, options: RunOptions): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const { runId } = parseOrThrow(RunOptionsSchema, options, "options", id);
    const message = errorMessage(error);
    return this.#change(id, { runId }, (cur) => ({ task: this.#writer.transition(cur, "failed", message) }));
  }

  async cancel(refId: string, reason: unknown, options: OwnerOptions): Promise<TaskInfo> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const { owner } = parseOrThrow(OwnerOptionsSchema, options, "options", id);
    const message = reason === undefined ? undefined : errorMessage(reason);
    const task = await this.#writer.write(id, { owner }, (cur) => ({
      task: this.#writer.transition(cur, "cancelled", message),
    }));
    this.runs.observe(task, reason);
    return toTaskInfo(task, this.#ctx.now());
  }

  /** The store's truth; an unfinished task whose lease ran out is failed ("worker lost") on the way. */
  async get(refId: string, options: OwnerOptions): Promise<TaskInfo | undefined> {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const { owner } = parseOrThrow(OwnerOptionsSchema, options, "options", id);
    this.#ctx.assertOpen();
    // An in-process store answers synchronously; any other is read through the store call.
    let task = this.#ctx.taskStore.peek?.(id) ?? (await this.#writer.read(id));
    if (task === undefined || !ownerMatches(task, owner)) return undefined;
    task = await this.reapIfLost(task);
    return toTaskInfo(task, this.#ctx.now());
  }

  /** Fails `task` as "worker lost" if its lease ran out; a lease of a run of this process is renewed instead. */
  async reapIfLost(task: StoredTask): Promise<StoredTask> {
    const now = this.#ctx.now();
    if (isTerminalStatus(task.status) || task.leaseExpiresAt === undefined || task.leaseExpiresAt > now) return task;
    const local = this.runs.runOf(task) !== undefined && this.runs.alive;
    try {
      return await this.#writer.write(task.refId, { runId: task.runId }, (cur) => {
        if (isTerminalStatus(cur.status) || cur.leaseExpiresAt === undefined || cur.leaseExpiresAt > now) {
          return { task: cur }; // someone renewed or finished it meanwhile: write nothing new
        }
        if (local) return { task: { ...cur, leaseExpiresAt: now + this.#ctx.taskLeaseMs } };
        return { task: this.#writer.transition(cur, "failed", WORKER_LOST_MESSAGE) };
      });
    } catch {
      return (await this.#writer.read(task.refId)) ?? task;
    }
  }

  /** Synchronous local view: from the store itself where it lives in this process, else what was seen here. */
  peek(refId: string): TaskInfo | undefined {
    const id = parseOrThrow(RefIdSchema, refId, "ref id");
    const { peek } = this.#ctx.taskStore;
    if (peek === undefined) return this.#seen.get(id);
    const task = peek.call(this.#ctx.taskStore, id);
    return task === undefined ? undefined : toTaskInfo(task, this.#ctx.now());
  }

  async query(options: TaskQueryOptions): Promise<{ tasks: TaskInfo[]; nextCursor?: string }> {
    const q = parseOrThrow(TaskQuerySchema, options, "task query");
    this.#ctx.assertOpen();
    const status = asList(q.status);
    const page = await this.#ctx.storeCall(undefined, () =>
      this.#ctx.taskStore.list({
        limit: q.limit,
        ...(status === undefined ? {} : { status }),
        ...(q.owner === undefined ? {} : { owner: q.owner }),
        ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
      }),
    );
    const now = this.#ctx.now();
    const tasks = page.tasks.map((t) => toTaskInfo(t, now));
    return page.nextCursor === undefined ? { tasks } : { tasks, nextCursor: page.nextCursor };
  }

  /** Local view: the tasks this instance has seen (all tasks of an in-process store). */
  list(filter: unknown): TaskInfo[] {
    const parsed = parseOrThrow(ListFilterSchema, filter ?? {}, "task filter");
    const wanted = asList(parsed.status);
    const { peekAll } = this.#ctx.taskStore;
    const now = this.#ctx.now();
    const all =
      peekAll === undefined
        ? [...this.#seen.values()].map((info) => ({ ...info }))
        : [...peekAll.call(this.#ctx.taskStore)].map((task) => toTaskInfo(task, now));
    return all.filter((t) => wanted === undefined || wanted.includes(t.status));
  }

  onChange(listener: TaskListener): () => void {
    if (typeof listener !== "function") {
      throw ValidationError.single("listener", "listener must be a function", "invalid_type");
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** A change made by another instance, as the store reports it. */
  remoteChange(change: TaskChange): void {
    if (change.origin === this.#ctx.instanceId) return;
    this.runs.observe(change.task);
    if (this.#seen.has(change.task.refId)) this.#seen.set(change.task.refId, toTaskInfo(change.task, 0));
    this.#emit(change.task);
  }

  /** Forgets ids the store removed. */
  forget(refIds: readonly string[]): void {
    for (const id of refIds) this.#seen.delete(id);
  }

  async #change(
    id: string,
    guard: { runId?: string | undefined; owner?: string },
    compute: Parameters<TaskWriter["write"]>[2],
  ): Promise<TaskInfo> {
    const task = await this.#writer.write(id, guard, compute, (cur) => this.runs.observe(cur));
    return toTaskInfo(task, this.#ctx.now());
  }

  #written(task: StoredTask): void {
    if (this.#ctx.taskStore.peek === undefined) this.#seen.set(task.refId, toTaskInfo(task, 0));
    this.runs.observe(task);
    this.#emit(task);
  }

  #emit(task: StoredTask): void {
    if (this.#listeners.size === 0) return;
    const info = toTaskInfo(task, this.#ctx.now());
    for (const listener of this.#listeners) {
      try {
        const outcome = listener({ ...info, ...(info.progress && { progress: { ...info.progress } }) });
        if (outcome !== null && typeof outcome === "object" && "then" in outcome) {
          Promise.resolve(outcome).then(undefined, () => {});
        }
      } catch {
        // A faulty listener must not break the mutation that triggered it.
      }
    }
  }
}
