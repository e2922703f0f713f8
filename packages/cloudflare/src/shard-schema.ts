/**
 * The SQLite schema of one shard object. Tasks are rows with the columns the shard decides on (status,
 * owner, version, lease deadline, finish time) beside the task's JSON; values are split into chunks because
 * one SQLite row of a Durable Object holds at most 2 MB.
 */

/** Statements run once per object start; each is idempotent. */
export const SHARD_SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS tasks (
    ref_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    owner TEXT,
    version INTEGER NOT NULL,
    -- On this object's clock; set while the task is pending or processing and has a lease.
    lease_deadline INTEGER,
    -- completedAt (else updatedAt) of a finished task, for the clean-up index.
    finished_at INTEGER,
    -- This object's clock at the write that finished the task, for ages judged on the store's clock (the
    -- coming TaskStore contract: removeFinished(olderThanMs)); written now so no migration is needed then.
    finished_here INTEGER,
    -- Name of the capacity ledger object that counted this task, when one did; binding name beside it.
    ledger TEXT,
    binding TEXT,
    body TEXT NOT NULL
  ) WITHOUT ROWID`,
  "CREATE INDEX IF NOT EXISTS tasks_by_lease ON tasks (lease_deadline) WHERE lease_deadline IS NOT NULL",
  "CREATE INDEX IF NOT EXISTS tasks_by_finish ON tasks (finished_at, ref_id) WHERE finished_at IS NOT NULL",
  "CREATE INDEX IF NOT EXISTS tasks_by_finish_here ON tasks (finished_here) WHERE finished_here IS NOT NULL",
  `CREATE TABLE IF NOT EXISTS vals (
    key TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    owner TEXT,
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
  // Capacity releases still owed to a ledger object (written with the task's terminal state, sent after).
  `CREATE TABLE IF NOT EXISTS releases (
    ref_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    ledger TEXT NOT NULL,
    binding TEXT NOT NULL,
    PRIMARY KEY (ref_id, run_id)
  ) WITHOUT ROWID`,
  // Only in the ledger object: the tasks counted against maxActiveTasks.
  "CREATE TABLE IF NOT EXISTS ledger (ref_id TEXT PRIMARY KEY, run_id TEXT NOT NULL) WITHOUT ROWID",
];
