/** Where the harness keeps tasks and values: in memory, or in Redis when `REDIS_URL` is set. */
import type { RefCacheOptions } from "@mcp-refcache/core";

export interface HarnessStores {
  /** Spread into the RefCache options. */
  options: Pick<RefCacheOptions, "store" | "taskStore">;
  description: string;
  close(): Promise<void>;
}

export async function createStores(redisUrl: string | undefined): Promise<HarnessStores> {
  if (redisUrl === undefined || redisUrl === "") {
    return { options: {}, description: "in-memory stores", close: async () => {} };
  }
  throw new Error("REDIS_URL is not supported yet");
}
