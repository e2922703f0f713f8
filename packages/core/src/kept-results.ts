/**
 * Results kept beside their tasks. A MemoryTaskStore paired with a MemoryStore (`createMemoryStores`, or
 * a RefCache given neither) keeps a complete task's result in the task's own record, two hidden fields
 * (the JSON text and the entry's version; its write time and expiry are the task's `completedAt` and
 * `resultExpiresAt`), instead of an entry in the value store's Map: per finished task one object, one Map
 * entry and two boxed numbers less. The value store reads, overwrites, deletes, prunes and counts those
 * results through the link, so `Store` answers exactly as if each sat in its own Map (the conformance
 * suite holds both stores to it). Results of any other shape (no expiry, an owner or execute-only flag
 * that differs from the task's, a write time other than the completion) stay entries of the value store.
 */
import { resultLink } from "./in-process-keys.js";
import type { EntryWrites, KeptResultsView, ResultLinkable, StoreEntry, StoreEntryMeta } from "./store.js";
import type { ListsEvery, StoredTask } from "./task-store.js";
import { yieldToEventLoop } from "./timer.js";

/** The result's JSON text, on a task record (symbol keys: no copy, spread of a copy or `JSON` sees them). */
const resultData: unique symbol = Symbol("mcp-refcache.resultData");
/** The result entry's `version`. */
const resultVersion: unique symbol = Symbol("mcp-refcache.resultVersion");

/** A stored task, perhaps with its result beside it (`resultData` undefined: none, or dropped). */
type TaskRecord = StoredTask & { [resultData]?: string | undefined; [resultVersion]?: number };

/**
 * The fields of a finished task the record literals below copy (or require absent). Fenced: a field
 * added to StoredTask fails to compile until listed here, and then must be copied or required absent.
 */
const RECORD_KEYS = [
  "refId",
  "status",
  "startedAt",
  "updatedAt",
  "retryCount",
  "runId",
  "version",
  "owner",
  "progress",
  "completedAt",
  "resultExpiresAt",
  // Required absent:
  "error",
  "resultExpired",
  "resultExecuteOnly",
  "leaseMs",
  "leaseExpired",
  "resultTtlMs",
] as const satisfies readonly (keyof StoredTask)[];
true satisfies ListsEvery<StoredTask, typeof RECORD_KEYS>;

/**
 * `task` (complete, as `finishedTask` builds it) with `entry` beside it, in one literal (fields added
 * later go to a side array); `undefined` when either has another shape and the entry must stay apart.
 */
function recordWithResult(task: StoredTask, entry: StoreEntry): TaskRecord | undefined {
  const { completedAt, resultExpiresAt, owner } = task;
  const { data, version } = entry;
  if (
    task.status !== "complete" ||
    completedAt === undefined ||
    resultExpiresAt === undefined ||
    task.error !== undefined ||
    task.resultExpired !== undefined ||
    task.resultExecuteOnly !== undefined ||
    task.leaseMs !== undefined ||
    task.leaseExpired !== undefined ||
    task.resultTtlMs !== undefined ||
    typeof data !== "string" ||
    version === undefined ||
    entry.createdAt !== completedAt ||
    entry.expiresAt !== resultExpiresAt ||
    entry.owner !== owner ||
    entry.executeOnly !== undefined
  ) {
    return undefined;
  }
  const { refId, status, startedAt, updatedAt, retryCount, runId, progress } = task;
  const v = task.version;
  if (owner === undefined) {
    return progress === undefined
      ? {
          refId,
          status,
          startedAt,
          updatedAt,
          retryCount,
          runId,
          version: v,
          completedAt,
          resultExpiresAt,
          [resultData]: data,
          [resultVersion]: version,
        }
      : {
          refId,
          status,
          startedAt,
          updatedAt,
          retryCount,
          runId,
          version: v,
          progress,
          completedAt,
          resultExpiresAt,
          [resultData]: data,
          [resultVersion]: version,
        };
  }
  return progress === undefined
    ? {
        refId,
        status,
        startedAt,
        updatedAt,
        retryCount,
        runId,
        version: v,
        owner,
        completedAt,
        resultExpiresAt,
        [resultData]: data,
        [resultVersion]: version,
      }
    : {
        refId,
        status,
        startedAt,
        updatedAt,
        retryCount,
        runId,
        version: v,
        owner,
        progress,
        completedAt,
        resultExpiresAt,
        [resultData]: data,
        [resultVersion]: version,
      };
}

/** The entry kept beside `record`, as the value store would hold it, or `undefined`. */
function entryOf(record: TaskRecord | undefined): StoreEntry | undefined {
  const data = record?.[resultData];
  if (record === undefined || data === undefined) return undefined;
  const entry: StoreEntry = {
    data,
    createdAt: record.completedAt as number,
    expiresAt: record.resultExpiresAt as number,
    version: record[resultVersion] as number,
  };
  if (record.owner !== undefined) entry.owner = record.owner;
  return entry;
}

/** Records looked at by `prune` before it lets other work run. */
const PRUNE_CHUNK = 500;

/** The results a memory task store keeps beside its tasks (in `tasks`); its paired value store reads them. */
export class KeptResults implements KeptResultsView {
  readonly #tasks: Map<string, StoredTask>;
  /** The paired value store's writes to its own Map. */
  #entries: EntryWrites | undefined;
  #size = 0;

  private constructor(tasks: Map<string, StoredTask>) {
    this.#tasks = tasks;
  }

  /** Results kept beside `tasks`, when `store` takes them (a plain MemoryStore not linked yet); else `undefined`. */
  static link(tasks: Map<string, StoredTask>, store: object): KeptResults | undefined {
    const linkable = (store as Partial<ResultLinkable>)[resultLink];
    if (typeof linkable !== "function") return undefined;
    const kept = new KeptResults(tasks);
    kept.#entries = linkable.call(store, kept);
    return kept.#entries === undefined ? undefined : kept;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): StoreEntry | undefined {
    return entryOf(this.#tasks.get(key));
  }

  stat(key: string): StoreEntryMeta | undefined {
    const entry = entryOf(this.#tasks.get(key));
    if (entry === undefined) return undefined;
    const { data: _data, ...meta } = entry;
    return meta;
  }

  drop(key: string): boolean {
    return this.#drop(this.#tasks.get(key));
  }

  prune(now: number): Promise<number> {
    return this.#prune(now);
  }

  clear(): void {
    for (const record of this.#tasks.values()) this.#drop(record);
  }

  #drop(record: TaskRecord | undefined): boolean {
    if (record?.[resultData] === undefined) return false;
    record[resultData] = undefined;
    this.#size--;
    return true;
  }

  async #prune(now: number): Promise<number> {
    let removed = 0;
    let seen = 0;
    for (const record of this.#tasks.values()) {
      const expiresAt = (record as TaskRecord)[resultData] === undefined ? undefined : record.resultExpiresAt;
      if (expiresAt !== undefined && expiresAt <= now && this.#drop(record)) removed++;
      if (++seen % PRUNE_CHUNK === 0) await yieldToEventLoop();
    }
    return removed;
  }

  /**
   * The task to store in place of `current` for a write of `next` with `result` (or none): `next` with
   * the result beside it when their shapes allow, else `next` with the result written to the value store.
   * A result kept beside `current` goes: replaced by `result`, or, written without one, to the value store.
   * Throws (TypeError) before it changes anything when the value store refuses `result`.
   */
  write(current: StoredTask, next: StoredTask, result: StoreEntry | undefined): StoredTask {
    const refId = next.refId;
    if (result === undefined) {
      const kept = entryOf(current);
      if (kept !== undefined) {
        this.#drop(current);
        (this.#entries as EntryWrites).set(refId, kept);
      }
      return next;
    }
    const record = recordWithResult(next, result);
    if (record === undefined) {
      // The value store's write first: it checks the entry, and one it refuses (data not JSON text)
      // must leave everything as it was, the result kept beside `current` included.
      (this.#entries as EntryWrites).set(refId, result);
      this.#drop(current);
      return next;
    }
    this.#drop(current);
    (this.#entries as EntryWrites).delete(refId);
    this.#size++;
    return record;
  }

  /** Before `record` leaves the task store (`removeFinished`): its result stays, in the value store. */
  release(record: StoredTask): void {
    const kept = entryOf(record);
    if (kept !== undefined && this.#drop(record)) (this.#entries as EntryWrites).set(record.refId, kept);
  }
}
