/**
 * The read half of a task registry: `getTask`, `getTaskStatus`, `queryTasks` and `listTasks`, each through
 * the liveness rule (liveness.ts). Over a task store in this process the store itself is the local view;
 * over any other, the tasks this instance ran, read or was told of (local-view.ts).
 */
import type { CacheContext } from "./cache-context.js";
import { type InProcessTaskAccess, inProcessAccessOf } from "./in-process-store.js";
import { asSeen, leaseRanOut } from "./liveness.js";
import { LocalView } from "./local-view.js";
import type { TaskInfo } from "./models.js";
import { assertMayList } from "./owner.js";
import { parseOrThrow } from "./parse.js";
import { isPage } from "./store-replies.js";
import {
  asList,
  ListFilterSchema,
  type OwnerOptions,
  OwnerOptionsSchema,
  parseOptions,
  parseRefId,
  type TaskQueryOptions,
  TaskQuerySchema,
} from "./task-options.js";
import type { ReadonlyStoredTask } from "./task-store.js";
import { ownerMatches, type TaskWriter, toTaskInfo } from "./task-writer.js";

const LIST_REPLY = [isPage, "list"] as const;

/** Lost tasks failed before each `queryTasks` page, at most. */
const QUERY_REAP_LIMIT = 100;

export class TaskReads {
  readonly #ctx: CacheContext;
  readonly #writer: TaskWriter;
  readonly #reapIfLost: (task: ReadonlyStoredTask) => Promise<ReadonlyStoredTask>;
  readonly #reapExpired: (limit: number) => Promise<void>;
  /** The local view for stores that cannot be read synchronously: tasks this instance ran or saw change. */
  readonly #seen: LocalView;
  /** The task store's synchronous side, when it lives in this process: then it is the local view. */
  readonly #local: InProcessTaskAccess | undefined;

  constructor(
    context: CacheContext,
    writer: TaskWriter,
    reapIfLost: (task: ReadonlyStoredTask) => Promise<ReadonlyStoredTask>,
    reapExpired: (limit: number) => Promise<void>,
  ) {
    this.#ctx = context;
    this.#writer = writer;
    this.#reapIfLost = reapIfLost;
    this.#reapExpired = reapExpired;
    this.#seen = new LocalView(context.taskRetentionMs);
    this.#local = inProcessAccessOf(context.taskStore);
  }

  /** The store's truth; an unfinished task whose lease ran out is failed ("worker lost") on the way. */
  async get(refId: string, options: OwnerOptions | undefined): Promise<TaskInfo | undefined> {
    const id = parseRefId(refId);
    const { owner } = parseOptions(OwnerOptionsSchema, options, "options", id);
    this.#ctx.assertOpen();
    // A store in this process answers at once; any other is read through a store call.
    const local = this.#local;
    if (local === undefined) return this.#writer.read(id).then((task) => this.#visible(task, owner));
    return this.#visible(local.readShared(id), owner);
  }

  /** What a reader with `owner` sees of `task`, once a lost worker's task is failed. */
  #visible(task: ReadonlyStoredTask | undefined, owner: string | undefined): TaskInfo | undefined | Promise<TaskInfo> {
    if (task === undefined || !ownerMatches(task, owner)) return undefined;
    if (!leaseRanOut(task)) {
      this.saw(task);
      return toTaskInfo(task, this.#ctx.now());
    }
    return this.#reapIfLost(task).then((reaped) => this.#info(reaped));
  }

  /** `task` as the liveness rule reads it (a lost one as failed, "worker lost"), as the public view. */
  #info(task: ReadonlyStoredTask): TaskInfo {
    const now = this.#ctx.now();
    return toTaskInfo(asSeen(task, now), now);
  }

  /** Synchronous local view: from the store itself where it lives in this process, else what was seen here. */
  peek(refId: string): TaskInfo | undefined {
    const id = parseRefId(refId);
    if (this.#local === undefined) return this.#seen.get(id);
    const task = this.#local.readShared(id);
    return task === undefined ? undefined : this.#info(task);
  }

  async query(options: TaskQueryOptions): Promise<{ tasks: TaskInfo[]; nextCursor?: string }> {
    const q = parseOrThrow(TaskQuerySchema, options, "task query");
    assertMayList(q.owner);
    this.#ctx.assertOpen();
    const status = asList(q.status);
    // A page of failed tasks must not miss lost ones still filed as running: they are failed first. Other
    // pages meet lost tasks where they are filed, and fail them below.
    if (status?.includes("failed") === true) await this.#reapExpired(QUERY_REAP_LIMIT);
    const page = await this.#ctx.storeCall(
      undefined,
      () =>
        this.#ctx.taskStore.list({
          limit: q.limit,
          ...(status === undefined ? {} : { status }),
          ...(q.owner === undefined ? {} : { owner: q.owner }),
          ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
        }),
      LIST_REPLY,
    );
    const read = await Promise.all(page.tasks.map((task) => this.#reapIfLost(task)));
    const tasks: TaskInfo[] = [];
    for (const task of read) {
      const info = this.#info(task);
      // One lost after the pass above is failed now: it leaves a page of other statuses (pages may be short).
      if (status === undefined || status.includes(info.status)) tasks.push(info);
      this.saw(task);
    }
    return page.nextCursor === undefined ? { tasks } : { tasks, nextCursor: page.nextCursor };
  }

  /** Local view: the tasks this instance has seen (all tasks of an in-process store). */
  list(filter: unknown): TaskInfo[] {
    const parsed = parseOrThrow(ListFilterSchema, filter ?? {}, "task filter");
    const wanted = asList(parsed.status);
    const local = this.#local;
    const now = this.#ctx.now();
    const all =
      local === undefined
        ? this.#seen.values().map((info) => ({ ...info }))
        : [...local.list()].map((task) => toTaskInfo(asSeen(task, now), now));
    return all.filter((t) => wanted === undefined || wanted.includes(t.status));
  }

  /** Brings a task the local view holds up to what was read or told of it (newer versions only). */
  saw(task: ReadonlyStoredTask): void {
    if (this.#local !== undefined) return;
    const lost = leaseRanOut(task);
    this.#seen.update(toTaskInfo(lost ? asSeen(task, this.#ctx.now()) : task, 0), task.version, lost);
  }

  /**
   * Whether a newer state of `task`'s id than `task` is known here (a later version of its run, or a later
   * run of the id: a higher `retryCount`): stored, when the store lives in this process, else in the local
   * view. A failing store clock answers no.
   */
  knowsNewer(task: ReadonlyStoredTask): boolean {
    const local = this.#local;
    if (local === undefined) return this.#seen.holdsNewer(task.refId, task.runId, task.retryCount, task.version);
    let stored: ReadonlyStoredTask | undefined;
    try {
      stored = local.readShared(task.refId);
    } catch {
      return false;
    }
    if (stored === undefined) return false;
    return stored.runId === task.runId ? stored.version > task.version : stored.retryCount > task.retryCount;
  }

  /** A task this instance wrote, for the local view. */
  wrote(task: ReadonlyStoredTask): void {
    if (this.#local === undefined) this.#seen.put(toTaskInfo(task, 0), task.version, false);
  }

  /** Forgets ids the store removed. */
  forget(refIds: readonly string[]): void {
    this.#seen.forget(refIds);
  }

  /** Tasks in the local view (for tests and diagnostics). */
  get localViewSize(): number {
    return this.#seen.size;
  }
}
