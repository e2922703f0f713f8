/**
 * The synchronous half of a shard: reads and writes of its SQLite tables. Every method runs without an
 * await, so inside the single-threaded object each one is atomic; multi-statement writes also run in one
 * `transactionSync` so a crash never leaves half of one.
 */
import { isTerminalStatus } from "@mcp-refcache/core";
import type { StoredTask, StoreEntry } from "@mcp-refcache/core/store";
import { migrateShard, SHARD_SCHEMA } from "./shard-schema.js";
import type { FinishedMark, ShardListPage, ShardListQuery, WireEntry } from "./shard-wire.js";
import { fromChunks, toChunks } from "./value-chunks.js";

type Row = Record<string, SqlStorageValue>;

/** The task of a row (`body`, `lease_deadline`), with `leaseExpired` when its lease ran out by `now`. */
function taskOf(row: Row, now: number): StoredTask {
  const task = JSON.parse(row.body as string) as StoredTask;
  const deadline = row.lease_deadline;
  if (deadline !== null && deadline !== undefined && (deadline as number) <= now) task.leaseExpired = true;
  return task;
}

export class ShardTables {
  readonly #storage: DurableObjectStorage;
  readonly #sql: SqlStorage;

  constructor(storage: DurableObjectStorage) {
    this.#storage = storage;
    this.#sql = storage.sql;
    for (const statement of SHARD_SCHEMA) this.#sql.exec(statement);
    migrateShard(this.#sql);
  }

  #one(query: string, ...bindings: unknown[]): Row | undefined {
    const cursor = this.#sql.exec<Row>(query, ...bindings);
    const next = cursor.next();
    return next.done === true ? undefined : next.value;
  }

  // ---- tasks ----

  /** The stored task, with `leaseExpired` when it is unfinished and its lease ran out by `now`. */
  getTask(refId: string, now: number): StoredTask | undefined {
    const row = this.#one("SELECT body, lease_deadline FROM tasks WHERE ref_id = ?", refId);
    return row === undefined ? undefined : taskOf(row, now);
  }

  /**
   * Stores `task` (already versioned, without `leaseExpired`) with its lease deadline on this object's
   * clock; deletes the id's value first when `dropValue`, writes `result` when given. One transaction.
   */
  putTask(
    task: StoredTask,
    options: { leaseDeadline: number | undefined; dropValue?: boolean; result?: StoreEntry | undefined },
  ): void {
    this.#storage.transactionSync(() => {
      if (options.dropValue === true) this.#deleteValue(task.refId);
      if (options.result !== undefined) this.#writeValue(task.refId, options.result);
      const terminal = isTerminalStatus(task.status);
      this.#sql.exec(
        `INSERT INTO tasks (ref_id, status, owner, version, lease_deadline, finished_here, body)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (ref_id) DO UPDATE SET status = excluded.status, owner = excluded.owner,
           version = excluded.version, lease_deadline = excluded.lease_deadline,
           finished_here = excluded.finished_here, body = excluded.body`,
        task.refId,
        task.status,
        task.owner ?? null,
        task.version,
        terminal ? null : (options.leaseDeadline ?? null),
        terminal ? Date.now() : null,
        JSON.stringify(task),
      );
    });
  }

  /** One page of this shard's tasks, by id, after `query.after`. */
  listTasks(query: ShardListQuery, now: number): ShardListPage {
    const where: string[] = [];
    const bindings: unknown[] = [];
    if (query.after !== undefined) {
      where.push("ref_id > ?");
      bindings.push(query.after);
    }
    if (query.status !== undefined) {
      if (query.status.length === 0) return { tasks: [], more: false };
      where.push(`status IN (${query.status.map(() => "?").join(", ")})`);
      bindings.push(...query.status);
    }
    if (query.owner !== undefined) {
      where.push("owner = ?");
      bindings.push(query.owner);
    }
    const rows = this.#sql
      .exec<Row>(
        `SELECT body, lease_deadline FROM tasks ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ref_id LIMIT ?`,
        ...bindings,
        query.limit + 1,
      )
      .toArray();
    const more = rows.length > query.limit;
    return { tasks: rows.slice(0, query.limit).map((row) => taskOf(row, now)), more };
  }

  /** Unfinished tasks whose lease deadline (this object's clock) is at or before `before`, each `leaseExpired`. */
  expiredLeases(before: number, limit: number): StoredTask[] {
    return this.#sql
      .exec<Row>(
        "SELECT body, lease_deadline FROM tasks WHERE lease_deadline IS NOT NULL AND lease_deadline <= ? ORDER BY lease_deadline LIMIT ?",
        before,
        limit,
      )
      .toArray()
      .map((row) => {
        const task = JSON.parse(row.body as string) as StoredTask;
        task.leaseExpired = true;
        return task;
      });
  }

  /** How many tasks are live by `now`: unfinished, and without a lease or with one that has not run out. */
  liveCount(now: number): number {
    return this.#one(
      "SELECT COUNT(*) AS n FROM tasks WHERE finished_here IS NULL AND (lease_deadline IS NULL OR lease_deadline > ?)",
      now,
    )?.n as number;
  }

  /** The earliest lease deadline of an unfinished task, if any. */
  earliestLease(): number | undefined {
    const row = this.#one("SELECT MIN(lease_deadline) AS at FROM tasks WHERE lease_deadline IS NOT NULL");
    return row?.at === null || row?.at === undefined ? undefined : (row.at as number);
  }

  /** Finished tasks that finished (by this object's clock) at or before `cutoff`, oldest first, with their age. */
  finishedBefore(cutoff: number, limit: number, now: number): FinishedMark[] {
    return this.#sql
      .exec<Row>(
        "SELECT ref_id, finished_here FROM tasks WHERE finished_here IS NOT NULL AND finished_here <= ? ORDER BY finished_here, ref_id LIMIT ?",
        cutoff,
        limit,
      )
      .toArray()
      .map((row) => ({ refId: row.ref_id as string, age: now - (row.finished_here as number) }));
  }

  /** Deletes those of `refIds` that are still finished at or before `cutoff`; returns which. */
  removeFinished(refIds: readonly string[], cutoff: number): string[] {
    const removed: string[] = [];
    this.#storage.transactionSync(() => {
      for (const refId of refIds) {
        const cursor = this.#sql.exec(
          "DELETE FROM tasks WHERE ref_id = ? AND finished_here IS NOT NULL AND finished_here <= ?",
          refId,
          cutoff,
        );
        if (cursor.rowsWritten > 0) removed.push(refId);
      }
    });
    return removed;
  }

  // ---- values ----

  getValue(key: string, now: number, withData: boolean): WireEntry | undefined {
    const row = this.#one(
      "SELECT created_at, expires_at, owner, version, execute_only, chunks, bytes FROM vals WHERE key = ?",
      key,
    );
    if (row === undefined) return undefined;
    if (row.expires_at !== null && (row.expires_at as number) <= now) return undefined;
    const entry: WireEntry = { data: "", createdAt: row.created_at as number };
    if (row.expires_at !== null) entry.expiresAt = row.expires_at as number;
    if (row.owner !== null) entry.owner = row.owner as string;
    if (row.version !== null) entry.version = row.version as number;
    if (row.execute_only === 1) entry.executeOnly = true;
    if (withData) {
      const chunks = this.#sql
        .exec<Row>("SELECT data FROM val_chunks WHERE key = ? ORDER BY seq", key)
        .toArray()
        .map((chunk) => chunk.data as ArrayBuffer);
      if (chunks.length !== row.chunks) throw new Error(`value "${key}" lost chunks`);
      entry.data = fromChunks(chunks, row.bytes as number);
    }
    return entry;
  }

  setValue(key: string, entry: StoreEntry): void {
    this.#storage.transactionSync(() => this.#writeValue(key, entry));
  }

  deleteValue(key: string): boolean {
    let deleted = false;
    this.#storage.transactionSync(() => {
      deleted = this.#deleteValue(key);
    });
    return deleted;
  }

  /** Deletes values whose expiry is at or before `now`; returns how many. */
  pruneValues(now: number, limit = 1000): number {
    const keys = this.#sql
      .exec<Row>("SELECT key FROM vals WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?", now, limit)
      .toArray()
      .map((row) => row.key as string);
    this.#storage.transactionSync(() => {
      for (const key of keys) this.#deleteValue(key);
    });
    return keys.length;
  }

  earliestValueExpiry(): number | undefined {
    const row = this.#one("SELECT MIN(expires_at) AS at FROM vals WHERE expires_at IS NOT NULL");
    return row?.at === null || row?.at === undefined ? undefined : (row.at as number);
  }

  #writeValue(key: string, entry: StoreEntry): void {
    if (typeof entry.data !== "string") throw new TypeError("StoreEntry.data must be encoded JSON text");
    this.#deleteValue(key);
    const { chunks, bytes } = toChunks(entry.data);
    this.#sql.exec(
      "INSERT INTO vals (key, created_at, expires_at, owner, version, execute_only, chunks, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      key,
      entry.createdAt,
      entry.expiresAt ?? null,
      entry.owner ?? null,
      entry.version ?? null,
      entry.executeOnly === true ? 1 : null,
      chunks.length,
      bytes,
    );
    for (const [seq, chunk] of chunks.entries()) {
      this.#sql.exec("INSERT INTO val_chunks (key, seq, data) VALUES (?, ?, ?)", key, seq, chunk);
    }
  }

  #deleteValue(key: string): boolean {
    const deleted = this.#sql.exec("DELETE FROM vals WHERE key = ?", key).rowsWritten > 0;
    if (deleted) this.#sql.exec("DELETE FROM val_chunks WHERE key = ?", key);
    return deleted;
  }

  /** Everything this object holds, gone (for tests and for `destroy`). */
  clear(): void {
    this.#storage.transactionSync(() => {
      for (const table of ["tasks", "vals", "val_chunks"]) this.#sql.exec(`DELETE FROM ${table}`);
    });
  }
}
