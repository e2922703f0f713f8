/**
 * The `TaskStore` on shard objects. Each id's transitions run inside its shard (compare-and-set there);
 * queries that span shards ask every shard and merge the pages by id, so the cursor (the last id handed
 * out) stays valid whatever shard the next ids live in. Leases and finish times are judged on each shard's
 * clock. `maxActiveTasks` is exact: creates that carry it pass one at a time through a ledger object,
 * which counts the live tasks of every shard (lease-expired ones left out) before the id's shard creates.
 */
import { type Store, type TaskStore, ValidationError } from "@mcp-refcache/core";
import type {
  CreateTaskOptions,
  CreateTaskOutcome,
  StoredTask,
  StoreEntry,
  SubscribeOptions,
  TaskChangeListener,
  TaskPage,
  TaskQuery,
  UpdateTaskOutcome,
} from "@mcp-refcache/core/store";
import { ChangeFeed } from "./change-feed.js";
import { sendable } from "./durable-object-store.js";
import type { ShardRouter } from "./shard-router.js";
import type { FinishedMark, ShardLayout } from "./shard-wire.js";

/** Cursor prefix of this store's pages: `d1.` and the last id handed out. */
const CURSOR_PREFIX = "d1.";

export class DurableObjectTaskStore implements TaskStore {
  /** The value store results are written to (the same shards). */
  readonly valueStore: Store;
  readonly #router: ShardRouter;
  readonly #layout: ShardLayout;
  readonly #feed: ChangeFeed;

  constructor(router: ShardRouter, binding: string, valueStore: Store) {
    this.#router = router;
    this.valueStore = valueStore;
    this.#layout = { binding, prefix: router.prefix, shards: router.shardCount };
    this.#feed = new ChangeFeed(router);
  }

  async get(refId: string): Promise<StoredTask | undefined> {
    return (await this.#router.of(refId).getTask(refId)) ?? undefined;
  }

  async create(task: StoredTask, options: CreateTaskOptions = {}, origin?: string): Promise<CreateTaskOutcome> {
    await this.#feed.ready();
    if (options.maxActiveTasks === undefined) return this.#router.of(task.refId).createTask(task, origin);
    return this.#router.ledger().admitCreate(task, this.#layout, options.maxActiveTasks, origin);
  }

  async update(
    task: StoredTask,
    expectedVersion: number,
    result?: StoreEntry,
    origin?: string,
    quiet?: boolean,
  ): Promise<UpdateTaskOutcome> {
    await this.#feed.ready();
    const sent = result === undefined ? undefined : { ...result, data: sendable(result.data) };
    const outcome = await this.#router.of(task.refId).updateTask(task, expectedVersion, origin, sent, quiet);
    return outcome.ok ? outcome : { ok: false, current: outcome.current ?? undefined };
  }

  async list(query: TaskQuery): Promise<TaskPage<StoredTask>> {
    let after: string | undefined;
    if (query.cursor !== undefined) {
      if (!query.cursor.startsWith(CURSOR_PREFIX)) {
        throw ValidationError.single("cursor", "cursor is not one this store handed out", "custom");
      }
      after = query.cursor.slice(CURSOR_PREFIX.length);
    }
    const pages = await Promise.all(
      this.#router
        .all()
        .map((shard) => shard.listTasks({ status: query.status, owner: query.owner, after, limit: query.limit })),
    );
    const merged = pages.flatMap((page) => page.tasks).sort((a, b) => (a.refId < b.refId ? -1 : 1));
    const tasks = merged.slice(0, query.limit);
    const more = merged.length > query.limit || pages.some((page) => page.more);
    const last = tasks.at(-1);
    return more && last !== undefined ? { tasks, nextCursor: `${CURSOR_PREFIX}${last.refId}` } : { tasks };
  }

  /**
   * Unfinished tasks whose lease ran out, each judged by its shard's own clock. The shards' alarms fail
   * these tasks by themselves shortly after (`LEASE_GRACE_MS`); this finds them sooner.
   */
  async listExpiredLeases(limit: number): Promise<StoredTask[]> {
    const found = await Promise.all(this.#router.all().map((shard) => shard.listExpiredLeases(limit)));
    return found.flat().slice(0, limit);
  }

  /**
   * Removes up to `limit` tasks that finished at least `olderThanMs` ago, each shard judging by its own
   * clock; the oldest first across shards (by age as each shard measured it). The shards tell subscribers
   * which ids went.
   */
  async removeFinished(olderThanMs: number, limit: number): Promise<string[]> {
    const marks = await Promise.all(this.#router.all().map((shard) => shard.finishedOlderThan(olderThanMs, limit)));
    const oldest: FinishedMark[] = marks
      .flat()
      .sort((a, b) => b.age - a.age || (a.refId < b.refId ? -1 : a.refId > b.refId ? 1 : 0))
      .slice(0, limit);
    const byShard = new Map<number, string[]>();
    for (const mark of oldest) {
      const index = this.#router.indexOf(mark.refId);
      byShard.set(index, [...(byShard.get(index) ?? []), mark.refId]);
    }
    const removed = new Set(
      (
        await Promise.all(
          [...byShard].map(([index, ids]) => this.#router.shard(index).removeFinished(ids, olderThanMs)),
        )
      ).flat(),
    );
    return oldest.map((mark) => mark.refId).filter((id) => removed.has(id));
  }

  subscribe(listener: TaskChangeListener, options?: SubscribeOptions): () => void {
    return this.#feed.subscribe(listener, options);
  }

  async close(): Promise<void> {
    this.#feed.close();
  }
}
