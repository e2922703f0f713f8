/**
 * Shared by every test file: the real Redis at REDIS_URL, a fresh random prefix per store set, and cleanup
 * that deletes only keys under the test's own prefixes (never FLUSHALL/FLUSHDB).
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, describe, inject } from "vitest";
import type { StoredTask } from "../src/contract.js";
import { createRedisStores, type RedisStores, type RedisStoresOptions } from "../src/index.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Whether Redis answered when the run started (`global-setup.ts` warns or fails once otherwise). */
export const available = inject("redisAvailable");

/** `describe` when Redis answers, `describe.skip` otherwise. */
export const describeRedis = available ? describe : describe.skip;

export function newPrefix(): string {
  return `refcache-test:${randomUUID()}:`;
}

/** A plain client for inspecting Redis from the test. */
export function rawClient(url = REDIS_URL): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on("error", () => {});
  return client;
}

export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await client.scan(cursor, "MATCH", `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`, "COUNT", 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

export async function deleteUnder(client: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(client, prefix);
  if (keys.length > 0) await client.del(...keys);
}

/**
 * Returns a factory of store sets on the real Redis; each set gets a fresh prefix unless one is given.
 * After each test every set is closed and its keys deleted.
 */
export function useStores(): (options?: RedisStoresOptions) => RedisStores & { prefix: string } {
  const made: { stores: RedisStores; prefix: string }[] = [];
  afterEach(async () => {
    const cleaner = rawClient();
    for (const { stores, prefix } of made.splice(0)) {
      await stores.close();
      await deleteUnder(cleaner, prefix);
    }
    cleaner.disconnect();
  });
  return (options = {}) => {
    const prefix = options.prefix ?? newPrefix();
    const stores = createRedisStores({ url: options.client === undefined ? REDIS_URL : undefined, ...options, prefix });
    made.push({ stores, prefix });
    return { ...stores, prefix };
  };
}

/**
 * One store set on the real Redis for core's conformance suite (`describeStoreConformance`): a fresh
 * prefix, and a clean-up that closes the set and deletes the prefix's keys.
 */
export function conformanceStores(options: Omit<RedisStoresOptions, "url" | "prefix"> = {}) {
  const prefix = newPrefix();
  const stores = createRedisStores({ ...options, url: REDIS_URL, prefix });
  return {
    store: stores.store,
    taskStore: stores.taskStore,
    cleanup: async () => {
      await stores.close();
      const cleaner = rawClient();
      await deleteUnder(cleaner, prefix);
      cleaner.disconnect();
    },
  };
}

let clock = 1_700_000_000_000;

/** A task as core would hand it to `create`. */
export function task(refId: string, fields: Partial<StoredTask> = {}): StoredTask {
  clock += 1;
  return {
    refId,
    status: "pending",
    startedAt: clock,
    updatedAt: clock,
    retryCount: 0,
    version: 0,
    runId: `run-${randomUUID()}`,
    ...fields,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until `stores` answer within their command timeout: a first call opens the connection and loads
 * the scripts, which on a loaded machine can take longer than the short timeout an outage test gives one
 * call. Leaves a finished-or-pending task `warm-up-<n>` behind, under the stores' own prefix.
 */
export async function warmUp(stores: Pick<RedisStores, "taskStore">): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await stores.taskStore.create(task(`warm-up-${attempt}`));
      await stores.taskStore.get(`warm-up-${attempt}`);
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(50);
    }
  }
}
