/**
 * The package's entry point: a value store and a task store sharing one Redis connection (plus one
 * subscriber connection, opened on the first subscription), to pass to `new RefCache({ store, taskStore })`.
 * The client may be a single `Redis` or a Redis Cluster (`Cluster`); see `layout`.
 */
import { Cluster, Redis } from "ioredis";
import * as z from "zod";
import { ChangeFeed } from "./change-feed.js";
import { parse } from "./input-schemas.js";
import { keyLayout, PrefixSchema } from "./key-layout.js";
import { RedisConnection } from "./redis-connection.js";
import { RedisStore } from "./redis-store.js";
import { RedisTaskStore } from "./redis-task-store.js";
import { TRANSPORTS } from "./transports.js";

const MAX_TIMER_MS = 2 ** 31 - 1;

const isRedisClient = (value: unknown): value is Redis | Cluster =>
  typeof value === "object" &&
  value !== null &&
  ["evalsha", "eval", "duplicate", "hget"].every((m) => typeof (value as Record<string, unknown>)[m] === "function");

/** Whether a client is a Redis Cluster client (ioredis marks its `Cluster` so). */
function isCluster(client: Redis | Cluster): client is Cluster {
  return client instanceof Cluster || (client as { isCluster?: unknown }).isCluster === true;
}

export const RedisStoresOptionsSchema = z
  .strictObject({
    /** Where Redis runs, e.g. "redis://127.0.0.1:6379"; ignored when `client` is given. Default that. */
    url: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, "url must be a redis:// or rediss:// URL")
      .optional(),
    /** A connected ioredis client of your own, `Redis` or `Cluster`; `close()` leaves it open. */
    client: z.custom<Redis | Cluster>(isRedisClient, "client must be an ioredis client").optional(),
    /**
     * Where keys live (see `key-layout.ts`): "single" keeps every index under one prefix (one Redis, and
     * what data written by earlier releases uses); "cluster" splits them into buckets, each in its own hash
     * slot, so a Redis Cluster (or a cluster-mode endpoint) can spread tasks over its masters. Default
     * "cluster" for an ioredis `Cluster` client, "single" otherwise. The two layouts do not read each
     * other's data.
     */
    layout: z.enum(["single", "cluster"]).optional(),
    /** Every key and the pub/sub channel live under this prefix (see `PrefixSchema`). */
    prefix: PrefixSchema.default("refcache:"),
    /** A command that gets no answer within this time fails with STORE_ERROR (ms). */
    commandTimeoutMs: z.number().int().positive().max(MAX_TIMER_MS).default(5_000),
    /**
     * How commands reach Redis. "direct" (default, the fastest): this package builds each command and
     * decides when it is written to the socket, through ioredis's `sendCommand`. "ioredis": every command
     * goes through the client's own `call`, as an application's own commands would: ioredis's argument
     * handling, its command queue, and its auto-pipelining if your client turns it on. Same commands,
     * same replies, same `commandTimeoutMs` and STORE_ERROR behaviour either way.
     */
    transport: z.enum(TRANSPORTS).default("direct"),
  })
  .refine((o) => o.url === undefined || o.client === undefined, { message: "give either url or client, not both" })
  // The single layout's indexes span slots: on a cluster its scripts would fail with CROSSSLOT.
  .refine((o) => !(o.layout === "single" && o.client !== undefined && isCluster(o.client)), {
    message: 'a Redis Cluster client needs layout "cluster" (the default for one)',
  });
export type RedisStoresOptions = z.input<typeof RedisStoresOptionsSchema>;

export interface RedisStores {
  store: RedisStore;
  taskStore: RedisTaskStore;
  /** Closes the connections this package opened; a client you passed in stays open. */
  close(): Promise<void>;
}

/** What `CLIENT LIST` shows for our connections, so operators can tell them apart. */
export function connectionName(prefix: string, role: "store" | "changes"): string {
  return `${prefix.replace(/[^A-Za-z0-9:._-]/g, "_")}${role}`;
}

export function createRedisStores(options: RedisStoresOptions = {}): RedisStores {
  const o = parse(RedisStoresOptionsSchema, options, "Redis store options");
  const ownsClient = o.client === undefined;
  const client =
    o.client ??
    new Redis(o.url ?? "redis://127.0.0.1:6379", {
      // No offline queue: a command that timed out while Redis was away must not run when it comes back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectionName: connectionName(o.prefix, "store"),
    });
  // Failures reach callers as STORE_ERROR; the client's own error events would otherwise be printed.
  if (ownsClient) client.on("error", () => {});
  const connection = new RedisConnection({
    client,
    ownsClient,
    commandTimeoutMs: o.commandTimeoutMs,
    transport: o.transport,
  });
  const cluster = isCluster(client);
  const keys = keyLayout(o.prefix, o.layout ?? (cluster ? "cluster" : "single"));
  const openSubscriber = (): Redis | Cluster => {
    if (!isCluster(client)) {
      return client.duplicate({
        enableOfflineQueue: true,
        maxRetriesPerRequest: null,
        lazyConnect: false,
        connectionName: connectionName(o.prefix, "changes"),
      });
    }
    // Sharded subscribers: one subscriber per master, each holding the shard channels of its slots.
    return client.duplicate([], {
      enableOfflineQueue: true,
      lazyConnect: false,
      shardedSubscribers: true,
      redisOptions: {
        ...client.options.redisOptions,
        maxRetriesPerRequest: null,
        connectionName: connectionName(o.prefix, "changes"),
      },
    });
  };
  const feed = new ChangeFeed(
    openSubscriber,
    keys.buckets.map((b) => b.changes),
    o.commandTimeoutMs,
    keys.kind === "cluster",
  );
  const store = new RedisStore(connection, keys);
  const taskStore = new RedisTaskStore(connection, keys, feed, store);
  let closing: Promise<void> | undefined;
  return {
    store,
    taskStore,
    close: () => {
      closing ??= (async () => {
        feed.close();
        await connection.close();
      })();
      return closing;
    },
  };
}
