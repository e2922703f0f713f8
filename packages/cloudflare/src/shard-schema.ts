/**
 * The SQLite schema of one shard object. Tasks are rows with the columns the shard decides on (status,
 * owner, version, lease deadline and finish time on the object's clock) beside the task's JSON; values
 * are split into chunks because one SQLite row of a Durable Object holds at most 2 MB.
 */

/** Statements run once per object start; each is idempotent. */
export const SHARD_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS tasks (
    ref_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    owner TEXT,
    version INTEGER NOT NULL,
    -- When the lease ends, on this object's clock (its write's time plus leaseMs); set while the task is
    -- unfinished and has a lease.
    lease_deadline INTEGER,
    -- This object's clock at the write that finished the task: removeFinished judges ages by it.
    finished_here INTEGER,
    body TEXT NOT NULL
  ) WITHOUT ROWID`,
  "CREATE INDEX IF NOT EXISTS tasks_by_lease ON tasks (lease_deadline) WHERE lease_deadline IS NOT NULL",
  "CREATE INDEX IF NOT EXISTS tasks_unfinished ON tasks (lease_deadline) WHERE finished_here IS NULL",
  "CREATE INDEX IF NOT EXISTS tasks_by_finish_here ON tasks (finished_here, ref_id) WHERE finished_here IS NOT NULL",
  `CREATE TABLE IF NOT EXISTS vals (
    key TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    owner TEXT,
    version INTEGER,
    -- 1 when clients may use the value by reference but never read it (StoreEntry.executeOnly).
    execute_only INTEGER,
    chunks INTEGER NOT NULL,
    bytes INTEGER NOT NULL
  ) WITHOUT ROWID`,
  "CREATE INDEX IF NOT EXISTS vals_by_expiry ON vals (expires_at) WHERE expires_at IS NOT NULL",
  `CREATE TABLE IF NOT EXISTS val_chunks (
    key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (key, seq)
  ) WITHOUT ROWID`,
];

/**
 * Brings the tables of an object written by an earlier build up to this schema: values gained a `version`
 * column (tasks' lease and finish columns were already on the object's clock). Each step is idempotent.
 */
export function migrateShard(sql: SqlStorage): void {
  try {
    sql.exec("SELECT version FROM vals LIMIT 0");
  } catch {
    sql.exec("ALTER TABLE vals ADD COLUMN version INTEGER");
  }
  // Values gained the execute-only flag later still; rows written before it are readable (NULL).
  try {
    sql.exec("SELECT execute_only FROM vals LIMIT 0");
  } catch {
    sql.exec("ALTER TABLE vals ADD COLUMN execute_only INTEGER");
  }
}
