/**
 * The `TaskStore` on Redis. Every write is one Lua script (one round trip) that checks the version,
 * writes the task, its indexes and, on completion, its value, and publishes the change; reads are one
 * script each. Listing pages through sorted sets, never through KEYS or a scan. Leases and finish times
 * are judged on the Redis server's clock (`TIME` inside the scripts), never on a client's.
 */
import type { ChangeFeed } from "./change-feed.js";
import { countActiveTasks, withCapacityLock } from "./cluster-capacity.js";
import { finishedPerBucket, listClusterPage } from "./cluster-listing.js";
import {
  CLUSTER_CREATE_TASK,
  CLUSTER_LIST_EXPIRED_LEASES,
  CLUSTER_REMOVE_FINISHED,
  CLUSTER_UPDATE_TASK,
} from "./cluster-scripts.js";
import {
  type CreateTaskOptions,
  type CreateTaskOutcome,
  type StoredTask,
  type StoreEntry,
  StoreError,
  type SubscribeOptions,
  type TaskChangeListener,
  type TaskPage,
  type TaskQuery,
  type TaskStatus,
  TaskStatusSchema,
  type TaskStore,
  type UpdateTaskOutcome,
  ValidationError,
} from "./contract.js";
import {
  AgeSchema,
  check,
  isEntry,
  isKey,
  isTask,
  isVersion,
  KeySchema,
  LimitSchema,
  parse,
  StoredTaskSchema,
  StoreEntrySchema,
  TaskQuerySchema,
  VersionSchema,
} from "./input-schemas.js";
import { type KeyLayout, ownerArg } from "./key-layout.js";
import { CREATE_TASK, GET_TASK, LIST_EXPIRED_LEASES, LIST_TASKS, REMOVE_FINISHED, UPDATE_TASK } from "./lua-scripts.js";
import { luaScript, type RedisConnection } from "./redis-connection.js";
import { type RedisStore, valueArgs } from "./redis-store.js";

const singleScripts = {
  get: luaScript(GET_TASK),
  create: luaScript(CREATE_TASK),
  update: luaScript(UPDATE_TASK),
  list: luaScript(LIST_TASKS),
  expiredLeases: luaScript(LIST_EXPIRED_LEASES),
  removeFinished: luaScript(REMOVE_FINISHED),
};
const clusterScripts: typeof singleScripts = {
  ...singleScripts,
  create: luaScript(CLUSTER_CREATE_TASK),
  update: luaScript(CLUSTER_UPDATE_TASK),
  expiredLeases: luaScript(CLUSTER_LIST_EXPIRED_LEASES),
  removeFinished: luaScript(CLUSTER_REMOVE_FINISHED),
};

const ALL_STATUSES: readonly TaskStatus[] = TaskStatusSchema.options;

/** A task from its JSON; `expired` is the scripts' word (1) that its lease has run out on the server's clock. */
function decodeTask(json: unknown, refId: string | undefined, expired?: unknown): StoredTask {
  if (typeof json !== "string") throw new StoreError("Redis returned no task JSON", refId, json);
  let task: StoredTask;
  try {
    task = JSON.parse(json) as StoredTask;
  } catch (cause) {
    throw new StoreError("Redis holds a task that is not valid JSON", refId, cause);
  }
  if (expired === 1) task.leaseExpired = true;
  return task;
}

/** Appends the arguments every write shares: status, owner, lease length (the script starts it on its clock). */
function pushIndexArgs(args: string[], task: StoredTask): string[] {
  args.push(task.status, ownerArg(task.owner), task.leaseMs === undefined ? "" : String(task.leaseMs));
  return args;
}

/** A task as JSON text; a task JSON cannot represent (BigInt, a cycle) is bad input, not a store failure. */
function taskJson(task: object, refId: string): string {
  try {
    return JSON.stringify(task);
  } catch {
    throw ValidationError.single("task", "task is not JSON data", "custom", refId);
  }
}

/** The task's JSON for `create`: without retryCount and version, which the script puts first. */
function creationJson(task: StoredTask): string {
  const { retryCount: _retryCount, version: _version, ...rest } = task;
  return taskJson(rest, task.refId);
}

/**
 * The store's own copy of a task handed in, which it checks, writes and hands back. Working on a copy
 * also keeps the cost of a write independent of how the caller built its object: V8 reads the fields of
 * some objects (made by spreading one and adding new fields) several times slower than those of a copy.
 */
function ownCopy(task: StoredTask): StoredTask {
  let copy: StoredTask;
  try {
    copy = { ...task };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw ValidationError.single("task", `task could not be read: ${why}`, "custom");
  }
  // What a store says on a read is never written back (a task spread from a read carries it).
  if (copy.leaseExpired !== undefined) delete copy.leaseExpired;
  return copy;
}

/** `options.maxActiveTasks`, read with care: options that are not an object, or throw when read, are bad input. */
function maxActive(options: CreateTaskOptions): number | undefined {
  if (typeof options !== "object" || options === null) {
    throw ValidationError.single("create options", "create options must be an object", "invalid_type");
  }
  try {
    return options.maxActiveTasks;
  } catch {
    throw ValidationError.single("create options", "create options could not be read", "custom");
  }
}

/** A cursor is the ref id of the page's last task, marked as this store's (see LIST_TASKS). */
const CURSOR_PREFIX = "r2.";

export class RedisTaskStore implements TaskStore {
  readonly #connection: RedisConnection;
  readonly #keys: KeyLayout;
  readonly #feed: ChangeFeed;
  readonly #scripts: typeof singleScripts;
  readonly #cluster: boolean;
  /** The value store results are written to: the one built with this store (see the TaskStore contract). */
  readonly valueStore: RedisStore;

  constructor(connection: RedisConnection, keys: KeyLayout, feed: ChangeFeed, valueStore: RedisStore) {
    this.#connection = connection;
    this.#keys = keys;
    this.#feed = feed;
    this.valueStore = valueStore;
    this.#cluster = keys.kind === "cluster";
    this.#scripts = this.#cluster ? clusterScripts : singleScripts;
  }

  /** The keys a bucket-wide script declares: none on one Redis, on a cluster one of the bucket's (routing). */
  #bucketKeys(bucketPrefix: string): string[] {
    return this.#cluster ? [`${bucketPrefix}seq`] : [];
  }

  async get(refId: string): Promise<StoredTask | undefined> {
    check(isKey(refId), KeySchema, refId, "ref id");
    const reply = await this.#connection.script<[string, number] | null>(
      "task get",
      refId,
      this.#scripts.get,
      [this.#keys.task(refId)],
      [],
    );
    return reply === null ? undefined : decodeTask(reply[0], refId, reply[1]);
  }

  async create(task: StoredTask, options: CreateTaskOptions = {}, origin?: string): Promise<CreateTaskOutcome> {
    const valid = ownCopy(task);
    check(isTask(valid), StoredTaskSchema, valid, "task", valid.refId);
    const max = maxActive(options);
    if (max !== undefined) parse(VersionSchema, max, "maxActiveTasks", valid.refId);
    const id = valid.refId;
    const settling = this.#feed.settled();
    if (settling !== undefined) await settling;
    const args = pushIndexArgs([this.#keys.bucketOf(id).prefix, id, creationJson(valid)], valid);
    if (max !== undefined && this.#cluster) {
      // A bucket's script cannot count the other buckets: count under the capacity lock, then tell the
      // script to refuse ("0") when full; an active task with the id still wins, as on one Redis.
      return withCapacityLock(this.#connection, this.#keys, id, async () => {
        const counted = await countActiveTasks(this.#connection, this.#keys, id);
        args.push(counted < max ? "" : "0", JSON.stringify(origin ?? null));
        const outcome = await this.#createWith(valid, args);
        return outcome.ok || outcome.reason === "active" ? outcome : { ...outcome, activeTasks: counted };
      });
    }
    args.push(max === undefined ? "" : String(max), JSON.stringify(origin ?? null));
    return this.#createWith(valid, args);
  }

  async #createWith(valid: StoredTask, args: string[]): Promise<CreateTaskOutcome> {
    const id = valid.refId;
    const reply = await this.#connection.script<[number, string, string?, number?]>(
      "task create",
      id,
      this.#scripts.create,
      [this.#keys.task(id), this.#keys.value(id)],
      args,
    );
    if (reply[0] === 1) {
      valid.version = 1;
      valid.retryCount = Number(reply[1]);
      return { ok: true, task: valid };
    }
    if (reply[1] === "active") return { ok: false, reason: "active", current: decodeTask(reply[2], id, reply[3]) };
    return { ok: false, reason: "capacity", activeTasks: Number(reply[2]) };
  }

  async update(
    task: StoredTask,
    expectedVersion: number,
    result?: StoreEntry,
    origin?: string,
    quiet?: boolean,
  ): Promise<UpdateTaskOutcome> {
    // The task as stored and as handed back: the store's own copy, with the new version.
    const next = ownCopy(task);
    check(isTask(next), StoredTaskSchema, next, "task", next.refId);
    const id = next.refId;
    check(isVersion(expectedVersion), VersionSchema, expectedVersion, "expected version", id);
    if (result !== undefined) check(isEntry(result), StoreEntrySchema, result, "task result", id);
    const version = expectedVersion + 1;
    next.version = version;
    const keys = this.#keys;
    const args = pushIndexArgs(
      [keys.bucketOf(id).prefix, id, String(expectedVersion), String(version), taskJson(next, id)],
      next,
    );
    // An empty origin tells the script not to publish: a lease renewal changes nothing subscribers see.
    args.push(quiet === true ? "" : JSON.stringify(origin ?? null));
    if (result !== undefined) args.push(...valueArgs(result));
    const settling = this.#feed.settled();
    if (settling !== undefined) await settling;
    const reply = await this.#connection.script<[number, string?, number?]>(
      "task update",
      id,
      this.#scripts.update,
      [keys.task(id), keys.value(id)],
      args,
    );
    if (reply[0] === 1) return { ok: true, task: next };
    return { ok: false, current: reply[1] === undefined ? undefined : decodeTask(reply[1], id, reply[2]) };
  }

  async list(query: TaskQuery): Promise<TaskPage<StoredTask>> {
    const q = parse(TaskQuerySchema, query, "task query");
    const statuses = q.status === undefined ? ALL_STATUSES : [...new Set(q.status)];
    if (this.#cluster) {
      const cursor = q.cursor?.slice(CURSOR_PREFIX.length);
      const page = await listClusterPage(this.#connection, this.#keys, cursor, q.limit, ownerArg(q.owner), statuses);
      if (page === undefined) {
        throw ValidationError.single(
          "cursor",
          "cursor is not one this store handed out, or its task is gone",
          "custom",
        );
      }
      const tasks = page.tasks.map(({ json, expired }) => decodeTask(json, undefined, expired));
      return page.next === undefined ? { tasks } : { tasks, nextCursor: `${CURSOR_PREFIX}${page.next}` };
    }
    const reply = await this.#connection.script<[string | number, (string | null)[], number[]]>(
      "task list",
      undefined,
      this.#scripts.list,
      [],
      [this.#keys.prefix, q.cursor?.slice(CURSOR_PREFIX.length) ?? "", q.limit, ownerArg(q.owner), ...statuses],
    );
    if (typeof reply[0] === "number") {
      throw ValidationError.single("cursor", "cursor is not one this store handed out, or its task is gone", "custom");
    }
    const tasks = reply[1].map((json, i) => decodeTask(json, undefined, reply[2][i]));
    return reply[0] === "" ? { tasks } : { tasks, nextCursor: `${CURSOR_PREFIX}${reply[0]}` };
  }

  async listExpiredLeases(limit: number): Promise<StoredTask[]> {
    parse(LimitSchema, limit, "limit");
    const replies = await Promise.all(
      this.#keys.buckets.map((b) =>
        this.#connection.script<(string | null)[]>(
          "expired lease listing",
          undefined,
          this.#scripts.expiredLeases,
          this.#bucketKeys(b.prefix),
          [b.prefix, limit],
        ),
      ),
    );
    return replies
      .flat()
      .slice(0, limit)
      .map((json) => decodeTask(json, undefined, 1));
  }

  async removeFinished(olderThanMs: number, limit: number): Promise<string[]> {
    parse(AgeSchema, olderThanMs, "age of finished tasks");
    parse(LimitSchema, limit, "limit");
    // On a cluster: how many to take from each bucket, oldest first over all; then each bucket removes its own.
    const plan = this.#cluster ? await finishedPerBucket(this.#connection, this.#keys, olderThanMs, limit) : undefined;
    const counts = plan?.counts ?? [limit];
    const removed = await Promise.all(
      this.#keys.buckets.map((b, i) =>
        counts[i] === 0
          ? []
          : this.#connection.script<string[]>(
              "finished task removal",
              undefined,
              this.#scripts.removeFinished,
              this.#bucketKeys(b.prefix),
              [b.prefix, olderThanMs, counts[i] as number, "null"],
            ),
      ),
    );
    if (plan === undefined) return removed.flat();
    const last = plan.rank.size;
    return removed.flat().sort((x, y) => (plan.rank.get(x) ?? last) - (plan.rank.get(y) ?? last));
  }

  subscribe(listener: TaskChangeListener, options: SubscribeOptions = {}): () => void {
    if (typeof listener !== "function") {
      throw ValidationError.single("listener", "listener must be a function", "invalid_type");
    }
    const onRemoved = options?.onRemoved;
    if (onRemoved !== undefined && typeof onRemoved !== "function") {
      throw ValidationError.single("onRemoved", "onRemoved must be a function", "invalid_type");
    }
    return this.#feed.subscribe(listener, onRemoved);
  }

  /** Resolves once the pub/sub subscription is active: changes published from then on reach the listeners. */
  changesReady(): Promise<void> {
    return this.#feed.ready();
  }
}
