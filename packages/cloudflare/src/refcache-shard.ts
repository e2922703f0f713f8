/**
 * The Durable Object that holds one shard of tasks and values. Its single-threaded execution makes each
 * transition a compare-and-set: the version is read and written in one synchronous step. It judges leases
 * by its own clock and fails a task whose runner stopped renewing with its alarm (set to the earliest lease
 * deadline), and pushes every change to subscribers over hibernatable WebSockets.
 *
 * Export it from your Worker's entry (`export { RefCacheShard } from "@mcp-refcache/cloudflare"`) and bind
 * it as a SQLite-backed class (`new_sqlite_classes`).
 */
import { DurableObject } from "cloudflare:workers";
import {
  type CreateTaskOutcome,
  isTerminalStatus,
  type StoredTask,
  type StoreEntry,
  type UpdateTaskOutcome,
  WORKER_LOST_MESSAGE,
} from "@mcp-refcache/core";
import { type OwedRelease, ShardTables } from "./shard-tables.js";
import type {
  FinishedMark,
  LedgerOutcome,
  LedgerRef,
  ShardListPage,
  ShardListQuery,
  WireChange,
  WireEntry,
  WriteMeta,
} from "./shard-wire.js";

/**
 * How long past a lease deadline the alarm waits before it fails the task: a renewal in flight at the
 * deadline wins, and `listExpiredLeases` sees the task before the alarm ends it.
 */
export const LEASE_GRACE_MS = 1_000;
/** How soon the alarm retries capacity releases a ledger object did not take. */
const RELEASE_RETRY_MS = 1_000;
/** Changes kept for a subscriber that connects just after them (its socket was still opening). */
const RECENT_CHANGES = 64;
/** How far back a new subscriber asks for recent changes: the time its socket may take to open. */
export const REPLAY_WINDOW_MS = 2_000;

/** The env a shard needs: only the bindings named in ledger references, looked up by name. */
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
    return this.#tables.getTask(refId);
  }

  async createTask(task: StoredTask, meta: WriteMeta, ledger?: LedgerRef): Promise<CreateTaskOutcome> {
    const previous = this.#tables.getTask(task.refId);
    if (previous !== undefined && !isTerminalStatus(previous.status)) {
      return { ok: false, reason: "active", current: previous };
    }
    if (ledger === undefined) return this.#insert(task, previous, meta, undefined);
    // Nothing else may run in this object while the ledger decides, so the id's state checked above holds.
    // A callback that throws would reset the object: a failed ledger call comes out as a value instead.
    const outcome = await this.ctx.blockConcurrencyWhile(async () => {
      try {
        const again = this.#tables.getTask(task.refId);
        if (again !== undefined && !isTerminalStatus(again.status)) {
          return { ok: false, reason: "active", current: again } as const;
        }
        const admitted = await this.#ledgerStub(ledger).ledgerAdmit(task.refId, task.runId, ledger.maxActiveTasks);
        if (!admitted.ok) return { ok: false, reason: "capacity", activeTasks: admitted.activeTasks } as const;
        return this.#insert(task, again, meta, ledger);
      } catch (error) {
        return { failed: error instanceof Error ? error.message : String(error) };
      }
    });
    if ("failed" in outcome) throw new Error(`the capacity ledger could not be reached: ${outcome.failed}`);
    return outcome;
  }

  #insert(
    task: StoredTask,
    previous: StoredTask | undefined,
    meta: WriteMeta,
    ledger: LedgerRef | undefined,
  ): CreateTaskOutcome {
    // The task came over RPC as a fresh copy: this object owns it.
    const stored: StoredTask = { ...task, version: 1 };
    stored.retryCount = previous === undefined ? 0 : previous.retryCount + 1;
    const leaseDeadline = this.#leaseDeadline(stored, meta);
    this.#tables.putTask(stored, {
      leaseDeadline,
      ledger: ledger === undefined ? undefined : { ledger: ledger.ledger, binding: ledger.binding },
      dropValue: true,
    });
    this.#changed(stored, meta.origin);
    this.#scheduleLease(leaseDeadline);
    return { ok: true, task: stored };
  }

  async updateTask(
    task: StoredTask,
    expectedVersion: number,
    meta: WriteMeta,
    result?: StoreEntry,
    quiet?: boolean,
  ): Promise<UpdateTaskOutcome> {
    const current = this.#tables.getTask(task.refId);
    if (current === undefined || current.version !== expectedVersion) return { ok: false, current };
    const stored: StoredTask = { ...task, version: expectedVersion + 1 };
    const release = this.#releaseIfEnding(current, stored);
    const leaseDeadline = this.#leaseDeadline(stored, meta);
    this.#tables.putTask(stored, {
      leaseDeadline,
      ledger: this.#tables.ledgerOf(task.refId),
      result,
      release,
    });
    if (quiet !== true) this.#changed(stored, meta.origin);
    this.#scheduleLease(leaseDeadline);
    if (release !== undefined) await this.#sendReleases();
    return { ok: true, task: stored };
  }

  listTasks(query: ShardListQuery): ShardListPage {
    return this.#tables.listTasks(query);
  }

  /** Unfinished tasks whose lease ran out by this object's clock (the caller's clock plays no part). */
  listExpiredLeases(limit: number): StoredTask[] {
    return this.#tables.expiredLeases(Date.now(), limit);
  }

  finishedBefore(cutoff: number, limit: number): FinishedMark[] {
    return this.#tables.finishedBefore(cutoff, limit);
  }

  removeFinished(refIds: string[], cutoff: number): string[] {
    return this.#tables.removeFinished(refIds, cutoff);
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

  ledgerAdmit(refId: string, runId: string, max: number): LedgerOutcome {
    return this.#tables.ledgerAdmit(refId, runId, max);
  }

  ledgerRelease(refId: string, runId: string): void {
    this.#tables.ledgerRelease(refId, runId);
  }

  ledgerCount(): number {
    return this.#tables.ledgerCount();
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
    const change: WireChange = origin === undefined ? { task } : { task, origin };
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

  /**
   * The task's lease deadline on this object's clock: the writer's deadline taken as a duration from when
   * it sent the write, so a skew between the writer's clock and this one never shortens or stretches it.
   */
  #leaseDeadline(task: StoredTask, meta: WriteMeta): number | undefined {
    if (task.leaseExpiresAt === undefined || isTerminalStatus(task.status)) return undefined;
    return Date.now() + (task.leaseExpiresAt - meta.sentAt);
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

  /** Fails tasks whose lease ran out, drops expired values, sends owed releases, and sets the next alarm. */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    const now = Date.now();
    for (const lost of this.#tables.expiredLeases(now - LEASE_GRACE_MS, 500)) this.#failLost(lost, now);
    this.#tables.pruneValues(now);
    await this.#sendReleases();
    const lease = this.#tables.earliestLease();
    const candidates = [
      lease === undefined ? undefined : lease + LEASE_GRACE_MS,
      this.#tables.earliestValueExpiry(),
      this.#tables.owedReleases().length > 0 ? Date.now() + RELEASE_RETRY_MS : undefined,
    ].filter((at): at is number => at !== undefined);
    if (candidates.length > 0) this.#scheduleAt(Math.max(Date.now() + 1, Math.min(...candidates)));
  }

  #failLost(task: StoredTask, now: number): void {
    const failed: StoredTask = { ...task, status: "failed" };
    delete failed.leaseExpiresAt;
    failed.error = WORKER_LOST_MESSAGE;
    failed.updatedAt = now;
    failed.completedAt = now;
    failed.version = task.version + 1;
    this.#tables.putTask(failed, {
      leaseDeadline: undefined,
      ledger: this.#tables.ledgerOf(task.refId),
      release: this.#releaseIfEnding(task, failed),
    });
    this.#changed(failed, undefined);
  }

  // ---- capacity releases ----

  #releaseIfEnding(current: StoredTask, next: StoredTask): OwedRelease | undefined {
    if (isTerminalStatus(current.status) || !isTerminalStatus(next.status)) return undefined;
    const ledger = this.#tables.ledgerOf(current.refId);
    return ledger === undefined ? undefined : { refId: current.refId, runId: current.runId, ...ledger };
  }

  /** Sends the releases owed to ledger objects; what fails stays owed and the alarm retries it. */
  async #sendReleases(): Promise<void> {
    const owed = this.#tables.owedReleases();
    let failed = false;
    for (const release of owed) {
      try {
        await this.#ledgerStub(release).ledgerRelease(release.refId, release.runId);
        this.#tables.releaseSent(release);
      } catch {
        failed = true;
      }
    }
    if (failed) this.#scheduleAt(Date.now() + RELEASE_RETRY_MS);
  }

  #ledgerStub(ref: { ledger: string; binding: string }): DurableObjectStub<RefCacheShard> {
    const namespace = this.env[ref.binding] as DurableObjectNamespace<RefCacheShard> | undefined;
    if (namespace === undefined) throw new Error(`no Durable Object binding named "${ref.binding}"`);
    return namespace.get(namespace.idFromName(ref.ledger));
  }
}
