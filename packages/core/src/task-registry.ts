/**
 * The task half of a RefCache: registration and transitions over the shared task store, with its reads
 * (task-reads.ts) and change listeners (task-listeners.ts). The store holds the truth; this instance
 * keeps only its own runs (see local-runs.ts).
 */

import type * as z from "zod";
import type { CacheContext } from "./cache-context.js";
import {
  errorMessage,
  failureReason,
  IllegalTransitionError,
  RefCacheError,
  TaskAlreadyActiveError,
  TooManyTasksError,
} from "./errors.js";
import { type InProcessTaskAccess, inProcessAccessOf, type SharedCreateOutcome } from "./in-process-store.js";
import { KeyedMutex } from "./keyed-mutex.js";
import { LocalRuns } from "./local-runs.js";
import { heldByLost, LostTasks } from "./lost-tasks.js";
import type { TaskInfo } from "./models.js";
import { assertMayWrite } from "./owner.js";
import { mergeProgress, type ProgressFields, parseProgressUpdate } from "./progress.js";
import { randomHex } from "./random-ids.js";
import { isCreateOutcome } from "./store-replies.js";
import {
  callTaskFunction,
  isThenable,
  type ParsedTaskInput,
  type ProgressUpdater,
  parseTaskInput,
  type TaskInput,
} from "./task-input.js";
import { TaskListeners } from "./task-listeners.js";
import {
  CompleteOptionsSchema,
  type CompleteTaskOptions,
  NO_OPTIONS,
  type OwnerOptions,
  OwnerOptionsSchema,
  parseOptions,
  parseRefId,
  type RegisterTaskOptions,
  RegisterTaskOptionsSchema,
  type RunOptions,
  RunOptionsSchema,
  type TaskListener,
} from "./task-options.js";
import { TaskReads } from "./task-reads.js";
import type { CreateTaskOptions, ReadonlyStoredTask, StoredTask, TaskChange } from "./task-store.js";
import { type Change, type Compute, TaskWriter, toTaskInfo } from "./task-writer.js";
import type { ValueCache } from "./value-cache.js";

/** The guard of a write by anyone (no run given): one object for all of them, never changed. */
const ANY_RUN: { runId?: string } = {};

/** The write guard of a call that names `runId` (or none). */
const guardOf = (runId: string | undefined): { runId?: string } => (runId === undefined ? ANY_RUN : { runId });

/** Fresh ids remembered for a cheap first registration; older ones are simply checked like any other. */
const MAX_MINTED = 1024;

const CREATE_REPLY = [isCreateOutcome, "create"] as const;

/** What `completeTask` was given: the result, and its time to live when the call set one. */
interface Completion {
  result: unknown;
  ttlMs: number | null | undefined;
}

export class TaskRegistry {
  readonly #ctx: CacheContext;
  readonly #values: ValueCache;
  readonly #writer: TaskWriter;
  readonly runs: LocalRuns;
  readonly #listeners = new TaskListeners();
  readonly #updaters = new KeyedMutex();
  /** Called when a run starts here (the cache then makes sure its heartbeat runs). */
  onRun: () => void = () => {};
  /**
   * Ids this instance's `newRefId()` drew and nobody registered yet (128 random bits: no other owner can
   * hold them), newest last, at most MAX_MINTED: their first registration skips the owner-rule reads.
   */
  readonly #minted = new Set<string>();
  /** Reads (`getTask`, `getTaskStatus`, `queryTasks`, `listTasks`), and the local view they keep. */
  readonly reads: TaskReads;
  readonly #lost: LostTasks;
  /** The task store's synchronous side, when it lives in this process (registrations then create at once). */
  readonly #local: InProcessTaskAccess | undefined;

  constructor(context: CacheContext, values: ValueCache) {
    this.#ctx = context;
    this.#local = inProcessAccessOf(context.taskStore);
    this.#values = values;
    this.#writer = new TaskWriter(context, this.#written);
    this.runs = new LocalRuns(context, this.#writer, values);
    this.reads = new TaskReads(
      context,
      this.#writer,
      (task) => this.reapIfLost(task),
      (limit) => this.reapExpired(limit),
    );
    this.#lost = new LostTasks(context, this.#writer, this.runs, (task) => this.reads.saw(task));
  }

  async register(refId: string, task: TaskInput, options: RegisterTaskOptions | undefined): Promise<TaskInfo> {
    const id = parseRefId(refId);
    const opts = parseOptions(RegisterTaskOptionsSchema, options, "register options", id);
    const input = parseTaskInput(task, id);
    this.#ctx.assertOpen();
    const draft = this.#draft(id, input, opts);
    // A fresh id from newRefId() is held by nobody: nothing to check, and no store round trip spent. It is
    // forgotten whoever registers it (the set stays near empty, not full of ids taken long ago).
    const unchecked = this.#minted.delete(id) || opts.owner === undefined;
    // An in-process store creates it at once, and nothing is left in flight for close() to wait for.
    const first = unchecked ? this.#createSync(draft) : undefined;
    if (first !== undefined && heldByLost(first) === undefined) return this.#created(id, first, input, opts);
    return this.#ctx.track(this.#registerChecked(id, draft, input, opts, unchecked, first));
  }

  /**
   * The rest of a registration that could not be done at once: the owner rule checked (unless `unchecked`),
   * the task created (`first`: the store's outcome already), a lost worker's task holding the id failed
   * first, and the run set up.
   */
  async #registerChecked(
    id: string,
    draft: StoredTask,
    input: ParsedTaskInput,
    opts: z.output<typeof RegisterTaskOptionsSchema>,
    unchecked: boolean,
    first: SharedCreateOutcome | undefined,
  ): Promise<TaskInfo> {
    // An owner may re-run only its own task, and never claim an id whose value someone else holds.
    if (!unchecked) await this.#assertMayClaim(id, opts.owner as string);
    // Created and set up in one turn where the store answers at once: nothing else runs in between.
    let outcome = first ?? this.#create(id, draft);
    if (outcome instanceof Promise) outcome = await outcome;
    const lost = heldByLost(outcome);
    if (lost !== undefined) {
      // The id is held by a task whose worker is lost: fail it as every view already reads it, then retry.
      await this.reapIfLost(lost);
      outcome = this.#create(id, draft);
      if (outcome instanceof Promise) outcome = await outcome;
    }
    return this.#created(id, outcome, input, opts);
  }

  /** The in-process store's create, done at once; `undefined` when the store cannot. */
  #createSync(draft: StoredTask): SharedCreateOutcome | undefined {
    return this.#local?.createSync?.(draft, this.#createOptions, this.#ctx.instanceId);
  }

  /** The store's create: at once where the store can, else a store call. */
  #create(id: string, draft: StoredTask): SharedCreateOutcome | Promise<SharedCreateOutcome> {
    const { taskStore, instanceId } = this.#ctx;
    return (
      this.#createSync(draft) ??
      this.#ctx.storeCall(id, () => taskStore.create(draft, this.#createOptions, instanceId), CREATE_REPLY)
    );
  }

  /** Remembers a fresh id drawn by `newRefId()` (forgetting the oldest past MAX_MINTED). */
  minted(id: string): void {
    this.#minted.add(id);
    if (this.#minted.size > MAX_MINTED) this.#minted.delete(this.#minted.values().next().value as string);
  }

  /** Something was stored under `key`: a registration under it is checked from now on. */
  used(key: string): void {
    this.#minted.delete(key);
  }

  /** Refuses (ForbiddenError) an owner's registration over a task or live value another owner holds. */
  async #assertMayClaim(id: string, owner: string): Promise<void> {
    const { store } = this.#ctx;
    const [task, value] = await Promise.all([
      this.#writer.read(id),
      this.#ctx.storeCall(id, () => (store.stat === undefined ? store.get(id) : store.stat(id))),
    ]);
    assertMayWrite(task, owner, id);
    if (value !== undefined && this.#ctx.isLive(value)) {
      assertMayWrite(value, owner, id);
    }
  }

  get #createOptions(): CreateTaskOptions {
    const { maxActiveTasks } = this.#ctx;
    return maxActiveTasks === undefined ? NO_OPTIONS : { maxActiveTasks };
  }

  #draft(id: string, input: ParsedTaskInput, opts: z.output<typeof RegisterTaskOptionsSchema>): StoredTask {
    const now = this.#ctx.now();
    const draft: StoredTask = {
      refId: id,
      status: input.kind === "handle" && input.handle.promise === undefined ? "pending" : "processing",
      startedAt: now,
      updatedAt: now,
      retryCount: 0,
      runId: randomHex(8),
      version: 0,
      leaseMs: this.#ctx.taskLeaseMs,
    };
    if (opts.owner !== undefined) draft.owner = opts.owner;
    if (opts.ttlMs !== undefined) draft.resultTtlMs = opts.ttlMs;
    if (opts.executeOnly === true) draft.resultExecuteOnly = true;
    return draft;
  }

  /** Sets up the run of a task the store has created, or throws why it refused. */
  #created(
    id: string,
    outcome: SharedCreateOutcome,
    input: ParsedTaskInput,
    opts: z.output<typeof RegisterTaskOptionsSchema>,
  ): TaskInfo {
    if (!outcome.ok) {
      if (outcome.reason === "active") throw new TaskAlreadyActiveError(id, outcome.current.status);
      throw new TooManyTasksError(id, this.#ctx.maxActiveTasks ?? 0);
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
      retryCount: stored.retryCount,
      settled: false,
    };
    this.runs.add(run);
    this.#written(stored);
    const work =
      input.kind === "function"
        ? callTaskFunction(input.fn, stored, (abortController as AbortController).signal, (update) =>
            this.updateProgress(id, update, { runId: stored.runId }).catch((error: unknown) => {
              // The work is told nothing (its progress is not its result); whoever runs the cache is.
              if (RefCacheError.isInstance(error, "STORE_ERROR")) {
                this.#ctx.reportError(error, { refId: id, operation: "progress write" });
              }
              throw error;
            }),
          )
        : input.kind === "promise"
          ? input.promise
          : input.handle.promise;
    if (work !== undefined) this.runs.settleWhenDone(run, work, opts.ttlMs, opts.owner);
    this.onRun();
    return toTaskInfo(stored, stored.updatedAt);
  }

  async start(refId: string, options: RunOptions | undefined): Promise<TaskInfo> {
    const id = parseRefId(refId);
    const { runId } = parseOptions(RunOptionsSchema, options, "options", id);
    return this.#change(id, guardOf(runId), this.#started, undefined);
  }

  /** A pending task moved to processing. */
  readonly #started = (cur: ReadonlyStoredTask): Change => {
    if (cur.status !== "pending") throw new IllegalTransitionError(cur.refId, cur.status, "processing");
    return { task: this.#writer.transition(cur, "processing") };
  };

  async updateProgress(refId: string, update: unknown, options: RunOptions | undefined): Promise<TaskInfo> {
    const id = parseRefId(refId);
    const { runId } = parseOptions(RunOptionsSchema, options, "options", id);
    if (typeof update === "function") return this.#updaters.run(id, () => this.#update(id, runId, update));
    return this.#change(id, guardOf(runId), this.#progressed, parseProgressUpdate(update, id));
  }

  /** The task with `fields` (checked) laid over its progress. */
  readonly #progressed = (cur: ReadonlyStoredTask, fields: ProgressFields): Change => ({
    task: this.#writer.progressed(cur, fields),
  });

  /** A progress update computed by `update` from the current progress. */
  #update(id: string, runId: string | undefined, update: unknown): TaskInfo | Promise<TaskInfo> {
    const apply = (cur: ReadonlyStoredTask, raw: unknown) => {
      const task = this.#writer.transition(cur, "processing");
      task.progress = mergeProgress(cur.progress, raw, id);
      return { task };
    };
    const compute = (cur: ReadonlyStoredTask): Change | Promise<Change> => {
      this.#writer.transition(cur, "processing"); // refuses finished tasks before user code runs
      const raw = (update as ProgressUpdater)(cur.progress && { ...cur.progress });
      if (!isThenable(raw)) return apply(cur, raw);
      // Updaters take turns, so what wrote meanwhile was a plain update, a finish or a cancel: lay the
      // updater's fields over that newer state (or be refused by it) rather than run user code again.
      return Promise.resolve(raw).then((r) => ({ ...apply(cur, r), rebase: (fresh) => apply(fresh, r) }));
    };
    return this.#change(id, guardOf(runId), compute, undefined);
  }

  async complete(refId: string, result: unknown, options: CompleteTaskOptions | undefined): Promise<TaskInfo> {
    const id = parseRefId(refId);
    const { runId, ttlMs } = parseOptions(CompleteOptionsSchema, options, "complete options", id);
    return this.#change(id, guardOf(runId), this.#completed, { result, ttlMs });
  }

  /** The task complete with `result` (encoded here, after the transition is allowed), kept `ttlMs`. */
  readonly #completed = (cur: ReadonlyStoredTask, { result, ttlMs }: Completion): Change => {
    this.#writer.assertCanTransition(cur, "complete"); // before the value is encoded
    const ttl = ttlMs === undefined ? cur.resultTtlMs : ttlMs;
    const entry = this.#values.entryFor(cur.refId, result, ttl, cur.owner, cur.resultExecuteOnly);
    return { task: this.#writer.completion(cur, entry), result: entry };
  };

  async fail(refId: string, error: unknown, options: RunOptions | undefined): Promise<TaskInfo> {
    const id = parseRefId(refId);
    const { runId } = parseOptions(RunOptionsSchema, options, "options", id);
    const message = failureReason(error);
    const failed = (cur: ReadonlyStoredTask): Change => ({ task: this.#writer.transition(cur, "failed", message) });
    return this.#change(id, guardOf(runId), failed, undefined);
  }

  async cancel(refId: string, reason: unknown, options: OwnerOptions | undefined): Promise<TaskInfo> {
    const id = parseRefId(refId);
    const { owner } = parseOptions(OwnerOptionsSchema, options, "options", id);
    const message = reason === undefined ? undefined : errorMessage(reason);
    const cancelled = (task: ReadonlyStoredTask) => {
      this.runs.observeCurrent(task, reason);
      return toTaskInfo(task, this.#ctx.now());
    };
    const task = this.#writer.writeSoon(
      id,
      { owner },
      (cur) => ({ task: this.#writer.transition(cur, "cancelled", message) }),
      undefined,
    );
    return task instanceof Promise ? task.then(cancelled) : cancelled(task);
  }

  /** See LostTasks.reapIfLost (also run by the clean-up). */
  reapIfLost(task: ReadonlyStoredTask): Promise<ReadonlyStoredTask> {
    return this.#lost.reapIfLost(task);
  }

  /** See LostTasks.reapExpired (run by the lease watch and the clean-up). */
  reapExpired(limit: number): Promise<void> {
    return this.#lost.reapExpired(limit);
  }

  onChange(listener: TaskListener): () => void {
    return this.#listeners.add(listener);
  }

  /** A change made by another instance, as the store reports it. */
  remoteChange(change: TaskChange): void {
    if (change.origin === this.#ctx.instanceId) return;
    this.runs.observe(change.task);
    this.reads.saw(change.task);
    this.#emit(change.task);
  }

  /** Forgets ids the store removed. */
  forget(refIds: readonly string[]): void {
    this.reads.forget(refIds);
  }

  /** A write through the writer, done at once where it can be, as the TaskInfo it leaves. */
  #change<A>(
    id: string,
    guard: { runId?: string | undefined },
    compute: Compute<A>,
    arg: A,
  ): TaskInfo | Promise<TaskInfo> {
    const written = this.#writer.writeSoon(id, guard, compute, arg, this.#observe);
    return written instanceof Promise ? written.then(this.#infoNow) : this.#infoNow(written);
  }

  /** The public view of a task just written (one function for every write, not a closure each). */
  readonly #infoNow = (task: ReadonlyStoredTask): TaskInfo => toTaskInfo(task, this.#ctx.now());

  readonly #observe = (current: ReadonlyStoredTask): void => this.runs.observeCurrent(current);

  /** Told of every task this instance wrote (one function, handed to the writer). */
  readonly #written = (task: ReadonlyStoredTask): void => {
    this.reads.wrote(task);
    this.runs.observeCurrent(task);
    this.#emit(task);
  };

  /** Tells the listeners of `task`, unless a newer state of it is known here (see TaskListeners.emit). */
  #emit(task: ReadonlyStoredTask): void {
    this.#listeners.emit(task, this.#now, this.#superseded);
  }

  readonly #superseded = (task: ReadonlyStoredTask): boolean => this.reads.knowsNewer(task);

  readonly #now = (): number => this.#ctx.now();
}
