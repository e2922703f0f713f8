/**
 * Smoke of the packed @mcp-refcache/redis (run by scripts/pack-smoke.mjs in a scratch project): two
 * RefCaches on one Redis, one through `url` and one through the user's own ioredis client, under a key
 * prefix of this run's own (deleted at the end); work one of them runs is seen complete by the other.
 * Without a Redis at REDIS_URL (default 127.0.0.1:6379) it skips with one line, unless CI=true.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { RefCache, runWithTimeoutFallback } from "@mcp-refcache/core";
import { createRedisStores } from "@mcp-refcache/redis";
import { Redis } from "ioredis";

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
client.on("error", () => {});
try {
  await client.connect();
} catch (error) {
  if (process.env.CI === "true") throw new Error(`Redis is unreachable at ${url} (CI=true: the smoke must run)`);
  console.log(`redis: skipped, nothing answers at ${url} (${error.message})`);
  process.exit(0);
}

const prefix = `pack-smoke:${randomUUID()}:`;
const viaUrl = createRedisStores({ url, prefix });
const viaClient = createRedisStores({ client, prefix });
const runner = new RefCache({ name: "smoke", store: viaUrl.store, taskStore: viaUrl.taskStore });
const reader = new RefCache({ name: "smoke", store: viaClient.store, taskStore: viaClient.taskStore });
try {
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  const answer = await runWithTimeoutFallback(
    runner,
    async () => {
      await gate;
      return { rows: 7 };
    },
    { timeoutMs: 1 },
  );
  assert.equal(answer.status, "pending");
  assert.ok(["pending", "processing"].includes((await reader.getTask(answer.refId))?.status));
  release();
  const finished = await reader.waitForTask(answer.refId, { timeoutMs: 10_000 });
  assert.equal(finished.status, "complete");
  assert.deepEqual(await reader.get(answer.refId), { rows: 7 });
} finally {
  await runner.close();
  await reader.close();
  await viaUrl.close();
  await viaClient.close();
  const keys = [];
  for await (const batch of client.scanStream({ match: `${prefix}*`, count: 100 })) keys.push(...batch);
  if (keys.length > 0) await client.del(...keys);
  client.disconnect();
}
console.log("redis: a task run through url, followed to its result through your own ioredis client");
