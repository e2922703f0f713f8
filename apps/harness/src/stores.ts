/** Where the harness keeps tasks and values: in memory, or in Redis when `REDIS_URL` is set. */
import type { RefCacheOptions } from "@mcp-refcache/core";
import { createRedisStores } from "@mcp-refcache/redis";

export interface HarnessStores {
  /** Spread into the RefCache options. */
  options: Pick<RefCacheOptions, "store" | "taskStore">;
  description: string;
  close(): Promise<void>;
}

export class RedisUnreachableError extends Error {
  constructor(url: string, reason: string) {
    super(`REDIS_URL ${url} is unreachable (${reason}); start Redis there, or unset REDIS_URL to use memory`);
    this.name = "RedisUnreachableError";
  }
}

/** How long the start-up check waits for Redis before it gives up (ms). */
const CONNECT_CHECK_MS = 3_000;

/** A URL without its password, for log lines. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(not a URL)";
  }
}

export async function createStores(redisUrl: string | undefined): Promise<HarnessStores> {
  if (redisUrl === undefined || redisUrl === "") {
    return { options: {}, description: "in-memory stores", close: async () => {} };
  }
  const shown = redact(redisUrl);
  let stores: ReturnType<typeof createRedisStores> | undefined;
  try {
    stores = createRedisStores({ url: redisUrl, prefix: "mcp-refcache-harness:", commandTimeoutMs: CONNECT_CHECK_MS });
    // One cheap read proves the connection before the server says it is up.
    await stores.taskStore.list({ limit: 1 });
  } catch (error) {
    await stores?.close().catch(() => {});
    throw new RedisUnreachableError(shown, error instanceof Error ? error.message : String(error));
  }
  return {
    options: { store: stores.store, taskStore: stores.taskStore },
    description: `Redis at ${shown}`,
    close: stores.close,
  };
}
