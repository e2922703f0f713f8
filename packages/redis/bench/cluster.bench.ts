/**
 * register → 3 progress → complete → status, 64 lifecycles in flight: this package's task store on a
 * three-master Redis Cluster (started here on free ports, the cluster layout) against the same store on
 * one node (the Redis at REDIS_URL, single layout) and BullMQ on that node. Also how the cluster's
 * commands spread over its masters (`INFO commandstats`, calls per master). Results go to RESULTS_FILE;
 * `print-ratio.mjs` prints them as ratios. A two-core machine cannot show the cluster scaling: the
 * per-master shares show that the load is spread.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, bench, describe } from "vitest";
import type { StoredTask, TaskStore } from "../src/contract.js";
import { createRedisStores, type RedisStores } from "../src/index.js";
import { clusterToolsAvailable, RedisCluster } from "../test/redis-cluster.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RESULTS_FILE = new URL("../node_modules/.cache/cluster-bench.json", import.meta.url);
const IN_FLIGHT = 64;
const PER_ITERATION = 320;
const options = { time: 3_000, warmupTime: 500, warmupIterations: 2 };

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

function storeLifecycle(taskStore: TaskStore): (refId: string) => Promise<void> {
  return async (refId) => {
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
  };
}

/** Calls per master from `INFO commandstats`. */
async function callsPerNode(cluster: RedisCluster): Promise<number[]> {
  return Promise.all(
    cluster.ports.map(async (port) => {
      const node = cluster.node(port);
      try {
        const info = await node.info("commandstats");
        return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      } finally {
        node.disconnect();
      }
    }),
  );
}

const measured = {
  cluster: { count: 0, ms: 0 },
  single: { count: 0, ms: 0 },
  bullmq: { count: 0, ms: 0 },
};
const prefix = `refcache-bench:${randomUUID()}:`;
const bullPrefix = `bull-bench-${randomUUID()}`;
const url = new URL(REDIS_URL);
const connection = { host: url.hostname, port: Number(url.port || 6379) };

const redisCluster = clusterToolsAvailable ? await RedisCluster.start() : undefined;
const clusterClient = redisCluster?.client({ redisOptions: { maxRetriesPerRequest: 0 } });
if (clusterClient !== undefined) await new Promise<void>((resolve) => clusterClient.once("ready", () => resolve()));
const onCluster: RedisStores | undefined =
  clusterClient === undefined ? undefined : createRedisStores({ client: clusterClient, prefix });
const onNode = createRedisStores({ url: REDIS_URL, prefix });
const callsBefore = redisCluster === undefined ? [] : await callsPerNode(redisCluster);

const queue = new Queue("cluster-bench", { connection, prefix: bullPrefix });
const completions = new Map<string, () => void>();
const worker = new Worker(
  "cluster-bench",
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

afterAll(async () => {
  const callsAfter = redisCluster === undefined ? [] : await callsPerNode(redisCluster);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await onCluster?.close();
  clusterClient?.disconnect();
  await redisCluster?.stop();
  await onNode.close();
  const cleaner = new Redis(REDIS_URL);
  let cursor = "0";
  do {
    const [nextCursor, keys] = await cleaner.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await cleaner.del(...keys);
    cursor = nextCursor;
  } while (cursor !== "0");
  cleaner.disconnect();
  const rate = (m: { count: number; ms: number }) => (m.count === 0 ? 0 : (m.count / m.ms) * 1000);
  mkdirSync(dirname(RESULTS_FILE.pathname), { recursive: true });
  writeFileSync(
    RESULTS_FILE,
    JSON.stringify({
      inFlight: IN_FLIGHT,
      cluster: rate(measured.cluster),
      single: rate(measured.single),
      bullmq: rate(measured.bullmq),
      callsPerNode: callsAfter.map((n, i) => n - (callsBefore[i] ?? 0)),
    }),
  );
});

describe(`register → 3 progress → complete → status, ${IN_FLIGHT} in flight (${PER_ITERATION} per iteration)`, () => {
  if (onCluster !== undefined) {
    const lifecycle = storeLifecycle(onCluster.taskStore);
    bench(
      "@mcp-refcache/redis on a 3-master cluster",
      async () => {
        measured.cluster.ms += await batch(lifecycle);
        measured.cluster.count += PER_ITERATION;
      },
      options,
    );
  }
  const single = storeLifecycle(onNode.taskStore);
  bench(
    "@mcp-refcache/redis on one node",
    async () => {
      measured.single.ms += await batch(single);
      measured.single.count += PER_ITERATION;
    },
    options,
  );
  bench(
    "BullMQ on one node",
    async () => {
      measured.bullmq.ms += await batch(bullmqLifecycle);
      measured.bullmq.count += PER_ITERATION;
    },
    options,
  );
});
