/**
 * register → 3 progress → complete → status, 16 lifecycles in flight, on the same local Redis:
 * this package's task store against BullMQ (add job → 3 × updateProgress → complete → getJobState).
 * Each system's lifecycles per second are written to RESULTS_FILE; `print-ratio.mjs` (run by `pnpm bench`
 * after vitest's table) prints the throughput ratio (target ≥ 2×, for the default "direct" transport),
 * and the same ratio for `transport: "ioredis"` (no target: it shows what the direct transport buys).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, bench, describe } from "vitest";
import type { StoredTask } from "../src/contract.js";
import { createRedisStores } from "../src/index.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RESULTS_FILE = new URL("../node_modules/.cache/lifecycle-bench.json", import.meta.url);
const IN_FLIGHT = 16;
const PER_ITERATION = 160;
const options = { time: 3_000, warmupTime: 500, warmupIterations: 2 };

/** Runs `PER_ITERATION` lifecycles, `IN_FLIGHT` at a time; returns elapsed ms. */
async function batch(lifecycle: (id: string) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < PER_ITERATION) {
        next++;
        await lifecycle(randomUUID());
      }
    }),
  );
  return performance.now() - started;
}

const measured = {
  refcache: { count: 0, ms: 0 },
  bullmq: { count: 0, ms: 0 },
  refcacheIoredis: { count: 0, ms: 0 },
};
const refcachePrefix = `refcache-bench:${randomUUID()}:`;
const bullPrefix = `bull-bench-${randomUUID()}`;
const url = new URL(REDIS_URL);
const connection = { host: url.hostname, port: Number(url.port || 6379) };

const direct = createRedisStores({ url: REDIS_URL, prefix: refcachePrefix });
const viaIoredis = createRedisStores({ url: REDIS_URL, prefix: refcachePrefix, transport: "ioredis" });

async function refcacheLifecycle(refId: string, taskStore = direct.taskStore): Promise<void> {
  const now = Date.now();
  const task: StoredTask = {
    refId,
    runId: refId,
    status: "pending",
    startedAt: now,
    updatedAt: now,
    retryCount: 0,
    version: 0,
  };
  await taskStore.create(task);
  let version = 1;
  for (let step = 1; step <= 3; step++) {
    const progress = { current: step, total: 3 };
    await taskStore.update({ ...task, status: "processing", progress, leaseMs: 30_000 }, version++);
  }
  const result = { data: '{"ok":true}', createdAt: now, expiresAt: now + 60_000 };
  await taskStore.update({ ...task, status: "complete", completedAt: now }, version, result);
  await taskStore.get(refId);
}

const queue = new Queue("lifecycle", { connection, prefix: bullPrefix });
const completions = new Map<string, () => void>();
const worker = new Worker(
  "lifecycle",
  async (job) => {
    for (let step = 1; step <= 3; step++) await job.updateProgress({ current: step, total: 3 });
    return { ok: true };
  },
  { connection, prefix: bullPrefix, concurrency: IN_FLIGHT },
);
worker.on("completed", (job) => completions.get(job.id as string)?.());

async function bullmqLifecycle(jobId: string): Promise<void> {
  const completed = new Promise<void>((resolve) => completions.set(jobId, resolve));
  await queue.add("work", { jobId }, { jobId });
  await completed;
  completions.delete(jobId);
  await queue.getJobState(jobId);
}

// Top level: vitest bench runs a file's top-level afterAll, not one inside describe.
afterAll(async () => {
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await Promise.all([direct.close(), viaIoredis.close()]);
  const cleaner = new Redis(REDIS_URL);
  let cursor = "0";
  do {
    const [nextCursor, keys] = await cleaner.scan(cursor, "MATCH", `${refcachePrefix}*`, "COUNT", 1000);
    if (keys.length > 0) await cleaner.del(...keys);
    cursor = nextCursor;
  } while (cursor !== "0");
  cleaner.disconnect();
  const rate = (m: { count: number; ms: number }) => (m.count / m.ms) * 1000;
  mkdirSync(dirname(RESULTS_FILE.pathname), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    JSON.stringify({
      inFlight: IN_FLIGHT,
      refcache: rate(measured.refcache),
      bullmq: rate(measured.bullmq),
      refcacheIoredis: rate(measured.refcacheIoredis),
    }),
  );
});

describe(`register → 3 progress → complete → status, ${IN_FLIGHT} in flight (${PER_ITERATION} per iteration)`, () => {
  bench(
    "@mcp-refcache/redis task store",
    async () => {
      measured.refcache.ms += await batch(refcacheLifecycle);
      measured.refcache.count += PER_ITERATION;
    },
    options,
  );

  bench(
    "BullMQ",
    async () => {
      measured.bullmq.ms += await batch(bullmqLifecycle);
      measured.bullmq.count += PER_ITERATION;
    },
    options,
  );

  bench(
    '@mcp-refcache/redis task store, transport: "ioredis"',
    async () => {
      measured.refcacheIoredis.ms += await batch((id) => refcacheLifecycle(id, viaIoredis.taskStore));
      measured.refcacheIoredis.count += PER_ITERATION;
    },
    options,
  );
});
