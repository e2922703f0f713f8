/**
 * The Durable Object that holds one shard of tasks and values. Its single-threaded execution makes each
 * transition a compare-and-set: the version is read and written in one synchronous step. Leases run on
 * its own clock (a write's `leaseMs` from the moment it lands), reads say `leaseExpired` once one ran out,
 * and its alarm (set to the earliest lease deadline) fails a task whose runner stopped renewing. Every
 * change is pushed to subscribers over hibernatable WebSockets. One object per store prefix, the ledger,
 * also admits the creates counted against `maxActiveTasks`, one at a time.
 *
 * Export it from your Worker's entry (`export { RefCacheShard } from "@mcp-refcache/cloudflare"`) and bind
 * it as a SQLite-backed class (`new_sqlite_classes`).
 */
import { DurableObject } from "cloudflare:workers";
import { isTerminalStatus, WORKER_LOST_MESSAGE } from "@mcp-refcache/core";
import type { CreateTaskOutcome, StoredTask, StoreEntry, UpdateTaskOutcome } from "@mcp-refcache/core/store";
import { fnv1a } from "./shard-hash.js";
import { ShardTables } from "./shard-tables.js";
import type {
  CapacityCheck,
  FinishedMark,
  ShardLayout,
  ShardListPage,
  ShardListQuery,
  WireChange,
  WireEntry,
} from "./shard-wire.js";

/**
 * How long past a lease deadline the alarm waits before it fails the task: a renewal in flight at the
 * deadline wins, and `listExpiredLeases` sees the task before the alarm ends it.
 */
export const LEASE_GRACE_MS = 1_000;
/** Changes kept for a subscriber that connects just after them (its socket was still opening). */
const RECENT_CHANGES = 64;
/** How far back a new subscriber asks for recent changes: the time its socket may take to open. */
export const REPLAY_WINDOW_MS = 2_000;

/** The env a shard needs: as the ledger, the binding a `ShardLayout` names, looked up by name. */
type ShardEnv = Record<string, unknown>;

export class RefCacheShard extends DurableObject<ShardEnv> {
  readonly #tables: ShardTables;
  /** When the alarm is set for, as far as this object knows (it reads it back at start). */
  #alarmAt: number | null = null;
  readonly #recent: { at: number; message: string }[] = [];

  constructor(ctx: DurableObjectState, env: ShardEnv) {
    super(ctx, env);
    this.#tables = new ShardTables(ctx.storage);
    void ctx.blockConcurrencyWhile(async () => {
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  // ---- tasks ----

  getTask(refId: string): StoredTask | undefined {
    return this.#tables.getTask(refId, Date.now());
  }

  /**
   * Creates `task` unless an unfinished task holds the id (answered with `leaseExpired` when its lease ran
   * out: core fails it and creates again). With `capacity` (sent by the ledger), also unless the live
   * tasks here plus those counted elsewhere reach the maximum; tasks whose lease ran out are not live.
   * Synchronous: nothing else runs in this object between the checks and the write.
   */
  createTask(task: StoredTask, origin?: string, capacity?: CapacityCheck): CreateTaskOutcome {
    const now = Date.now();
    const previous = this.#tables.getTask(task.refId, now);
    if (previous !== undefined && !isTerminalStatus(previous.status)) {
      return { ok: false, reason: "active", current: previous };
    }
    if (capacity !== undefined) {
      const live = capacity.elsewhere + this.#tables.liveCount(now);
      if (live >= capacity.maxActiveTasks) return { ok: false, reason: "capacity", activeTasks: live };
    }
    // The task came over RPC as a fresh copy: this object owns it.
    const stored: StoredTask = { ...task, version: 1 };
    delete stored.leaseExpired;
    stored.retryCount = previous === undefined ? 0 : previous.retryCount + 1;
    const leaseDeadline = this.#leaseDeadline(stored);
    this.#tables.putTask(stored, { leaseDeadline, dropValue: true });
    this.#changed(stored, origin);
    this.#scheduleLease(leaseDeadline);
    return { ok: true, task: stored };
  }

  updateTask(
    task: StoredTask,
    expectedVersion: number,
    origin?: string,
    result?: StoreEntry,
    quiet?: boolean,
  ): UpdateTaskOutcome {
    const current = this.#tables.getTask(task.refId, Date.now());
    if (current === undefined || current.version !== expectedVersion) return { ok: false, current };
    const stored: StoredTask = { ...task, version: expectedVersion + 1 };
    delete stored.leaseExpired;
    const leaseDeadline = this.#leaseDeadline(stored);
    this.#tables.putTask(stored, { leaseDeadline, result });
    if (quiet !== true) this.#changed(stored, origin);
    this.#scheduleLease(leaseDeadline);
    return { ok: true, task: stored };
  }

  listTasks(query: ShardListQuery): ShardListPage {
    return this.#tables.listTasks(query, Date.now());
  }

  /** Unfinished tasks whose lease ran out by this object's clock, each with `leaseExpired`. */
  listExpiredLeases(limit: number): StoredTask[] {
    return this.#tables.expiredLeases(Date.now(), limit);
  }

  /** How many tasks here are live: unfinished, their lease (if any) not run out. */
  liveCount(): number {
    return this.#tables.liveCount(Date.now());
  }

  /** Tasks that finished at least `olderThanMs` ago by this object's clock, oldest first, with their age. */
  finishedOlderThan(olderThanMs: number, limit: number): FinishedMark[] {
    const now = Date.now();
    return this.#tables.finishedBefore(now - olderThanMs, limit, now);
  }

  /** Removes those of `refIds` still finished at least `olderThanMs` ago; tells subscribers which. */
  removeFinished(refIds: string[], olderThanMs: number): string[] {
    const removed = this.#tables.removeFinished(refIds, Date.now() - olderThanMs);
    if (removed.length > 0) this.#broadcast({ removed });
    return removed;
  }

  // ---- values ----

  getValue(key: string): WireEntry | undefined {
    return this.#tables.getValue(key, Date.now(), true);
  }

  statValue(key: string): Omit<WireEntry, "data"> | undefined {
    const entry = this.#tables.getValue(key, Date.now(), false);
    if (entry === undefined) return undefined;
    const { data: _data, ...meta } = entry;
    return meta;
  }

  setValue(key: string, entry: StoreEntry): void {
    this.#tables.setValue(key, entry);
    if (entry.expiresAt !== undefined) this.#scheduleAt(entry.expiresAt);
  }

  deleteValue(key: string): boolean {
    return this.#tables.deleteValue(key);
  }

  /** Drops expired values by this object's clock; returns how many. */
  pruneValues(): number {
    return this.#tables.pruneValues(Date.now());
  }

  /** Deletes everything this object holds (its alarm too). */
  async destroy(): Promise<void> {
    this.#tables.clear();
    await this.ctx.storage.deleteAlarm();
    this.#alarmAt = null;
    for (const socket of this.ctx.getWebSockets()) socket.close(1000, "destroyed");
  }

  /** Closes every change socket, as a restart of this object does; subscribers open theirs again. */
  closeSubscribers(): void {
    for (const socket of this.ctx.getWebSockets()) socket.close(1012, "restarting");
  }

  // ---- the capacity ledger (one object per store prefix) ----

  /** Admissions in flight in this (ledger) object: each waits for the one before. */
  #admissions: Promise<unknown> = Promise.resolve();

  /**
   * Ledger object only: creates `task` in its shard if fewer than `maxActiveTasks` tasks are live across
   * all shards. Admissions run one at a time, so two counted creates never both see room for one; the
   * count of every other shard is taken first, and the task's own shard adds its own count and creates in
   * one synchronous step. Other shards' counts only fall meanwhile (tasks end, leases run out), or grow by
   * creates that carry no limit, which are not counted against one.
   */
  admitCreate(
    task: StoredTask,
    layout: ShardLayout,
    maxActiveTasks: number,
    origin?: string,
  ): Promise<CreateTaskOutcome> {
    const admission = this.#admissions.then(async () => {
      const namespace = this.env[layout.binding] as DurableObjectNamespace<RefCacheShard> | undefined;
      if (namespace === undefined) throw new Error(`no Durable Object binding named "${layout.binding}"`);
      const shard = (index: number) => namespace.get(namespace.idFromName(`${layout.prefix}:shard:${index}`));
      const own = fnv1a(task.refId) % layout.shards;
      const counts = await Promise.all(
        Array.from({ length: layout.shards }, (_, index) => (index === own ? 0 : shard(index).liveCount())),
      );
      const elsewhere = counts.reduce((sum, n) => sum + n, 0);
      return (await shard(own).createTask(task, origin, { elsewhere, maxActiveTasks })) as CreateTaskOutcome;
    });
    this.#admissions = admission.catch(() => undefined);
    return admission;
  }

  // ---- change sockets ----

  /** `GET /changes?since=<ms>` with `Upgrade: websocket`: a socket that receives every non-quiet change. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/changes" || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("not found", { status: 404 });
    }
    const since = Number(url.searchParams.get("since") ?? Number.NaN);
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    // Changes made while the socket was opening would otherwise be missed.
    if (Number.isFinite(since)) {
      for (const change of this.#recent) if (change.at >= since) server.send(change.message);
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(): void {
    // Subscribers only listen.
  }

  override webSocketClose(socket: WebSocket, code: number): void {
    try {
      socket.close(code === 1005 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  #changed(task: StoredTask, origin: string | undefined): void {
    this.#broadcast(origin === undefined ? { task } : { task, origin });
  }

  /** Sends `change` to every change socket and keeps it for sockets that are still opening. */
  #broadcast(change: WireChange): void {
    const message = JSON.stringify(change);
    this.#recent.push({ at: Date.now(), message });
    if (this.#recent.length > RECENT_CHANGES) this.#recent.shift();
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.send(message);
      } catch {
        // A socket that is closing misses the change; its owner reconnects.
      }
    }
  }

  // ---- leases and the alarm ----

  /** The task's lease deadline on this object's clock: `leaseMs` from now (none once the task finished). */
  #leaseDeadline(task: StoredTask): number | undefined {
    if (task.leaseMs === undefined || isTerminalStatus(task.status)) return undefined;
    return Date.now() + task.leaseMs;
  }

  #scheduleLease(deadline: number | undefined): void {
    if (deadline !== undefined) this.#scheduleAt(deadline + LEASE_GRACE_MS);
  }

  /** Makes sure the alarm fires at `at` or earlier. */
  #scheduleAt(at: number): void {
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  /** Fails tasks whose lease ran out, drops expired values, and sets the next alarm. */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    const now = Date.now();
    for (const lost of this.#tables.expiredLeases(now - LEASE_GRACE_MS, 500)) this.#failLost(lost, now);
    this.#tables.pruneValues(now);
    const lease = this.#tables.earliestLease();
    const candidates = [
      lease === undefined ? undefined : lease + LEASE_GRACE_MS,
      this.#tables.earliestValueExpiry(),
    ].filter((at): at is number => at !== undefined);
    if (candidates.length > 0) this.#scheduleAt(Math.max(Date.now() + 1, Math.min(...candidates)));
  }

  #failLost(task: StoredTask, now: number): void {
    const failed: StoredTask = { ...task, status: "failed" };
    delete failed.leaseMs;
    delete failed.leaseExpired;
    failed.error = WORKER_LOST_MESSAGE;
    failed.updatedAt = now;
    failed.completedAt = now;
    failed.version = task.version + 1;
    this.#tables.putTask(failed, { leaseDeadline: undefined });
    this.#changed(failed, undefined);
  }
}
