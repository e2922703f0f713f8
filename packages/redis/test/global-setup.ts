/**
 * Runs once per test run: finds out whether Redis answers at REDIS_URL. Unreachable under CI=true the run
 * fails; otherwise the Redis tests are skipped with this one warning.
 */
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    redisAvailable: boolean;
  }
}

async function reachable(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const available = await reachable(url);
  if (!available) {
    if (process.env.CI === "true")
      throw new Error(`Redis is unreachable at ${url} (CI=true: the Redis tests must run)`);
    console.warn(`@mcp-refcache/redis: Redis tests skipped, nothing answers at ${url}`);
  }
  project.provide("redisAvailable", available);
}
