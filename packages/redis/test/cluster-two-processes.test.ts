/**
 * Two RefCache instances in two child processes sharing a real three-master Redis Cluster (the cluster
 * layout): progress seen across processes, cancel from one aborting the other's work through sharded
 * pub/sub, 1 000 racing registrations of the same ids, tasks spread over all three masters, and a
 * SIGKILLed worker whose task the other process sees fail once its lease ends.
 */
import { RefCache, WORKER_LOST_MESSAGE } from "@mcp-refcache/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRedisStores } from "../src/index.js";
import { RefCacheProcess } from "./process-driver.js";
import { describeCluster, type RedisCluster, useRedisCluster } from "./redis-cluster.js";
import { keysUnder, newPrefix, REDIS_URL } from "./redis-fixture.js";

let a: RefCacheProcess;
let b: RefCacheProcess;

interface Task {
  status: string;
  progress?: { current?: number };
  error?: string;
  retryCount: number;
}

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** How many keys under `prefix` each master holds. */
async function keysPerNode(cluster: RedisCluster, prefix: string): Promise<number[]> {
  return Promise.all(
    cluster.ports.map(async (port) => {
      const node = cluster.node(port);
      try {
        return (await keysUnder(node, prefix)).length;
      } finally {
        node.disconnect();
      }
    }),
  );
}

describeCluster("two processes sharing a 3-master Redis Cluster", { timeout: 90_000 }, () => {
  const cluster = useRedisCluster();

  /** Points A and B at a fresh prefix, with a new RefCache each, both subscribed. */
  async function share(leaseMs = 60_000): Promise<string> {
    const prefix = newPrefix();
    await Promise.all([a.call("open", prefix, leaseMs), b.call("open", prefix, leaseMs)]);
    return prefix;
  }

  beforeAll(() => {
    const REDIS_CLUSTER_PORT = String(cluster().ports[0]);
    a = new RefCacheProcess({ REDIS_URL, INSTANCE: "A", REDIS_CLUSTER_PORT });
    b = new RefCacheProcess({ REDIS_URL, INSTANCE: "B", REDIS_CLUSTER_PORT });
  });
  afterAll(async () => {
    await Promise.all([a?.kill("SIGKILL"), b?.kill("SIGKILL")]);
  });

  it("B sees the progress of A's task, and B's cancel aborts A's work within 1 s", async () => {
    // A lease of 60 s renews every 20 s: an abort sooner than that came through the change feed.
    await share();
    const latencies: number[] = [];
    // Ten ids: they fall into several buckets, hence onto several masters' shard channels.
    for (let i = 0; i < 10; i++) {
      const refId = `slow-${i}`;
      await a.call("startSlow", refId);
      const seen = await poll(
        () => b.call<Task>("getTask", refId),
        (t) => (t.progress?.current ?? 0) >= 2,
      );
      expect(seen).toMatchObject({ status: "processing", progress: { current: expect.any(Number) } });
      const { at: cancelledAt } = await b.call<{ at: number }>("cancel", refId);
      const aborted = await poll(
        async () => a.events.find((e) => e.event === "aborted" && e.refId === refId),
        (e) => e !== undefined,
      );
      expect(aborted).toBeDefined();
      latencies.push((aborted?.at as number) - cancelledAt);
      expect(await a.call("getTask", refId)).toMatchObject({ status: "cancelled" });
    }
    latencies.sort((x, y) => x - y);
    console.info(`cluster: cross-process cancel → abort latencies (ms): ${latencies.join(", ")}`);
    expect(latencies.at(-1)).toBeLessThan(1_000);
  });

  it("1 000 ids registered on A and B at once: exactly one run each, spread over all three masters", async () => {
    const prefix = await share();
    const ids = Array.from({ length: 1000 }, (_, i) => `race-${i}`);
    const shuffled = (list: string[]) => [...list].sort(() => Math.random() - 0.5);
    const [fromA, fromB] = await Promise.all([
      a.call<Record<string, string>>("race", shuffled(ids)),
      b.call<Record<string, string>>("race", shuffled(ids)),
    ]);
    for (const id of ids) {
      const outcomes = [fromA[id], fromB[id]].sort();
      expect(outcomes, id).toEqual(["TASK_ALREADY_ACTIVE", "registered"]);
    }
    await Promise.all([a.call("finishRace", ids), b.call("finishRace", ids)]);
    const runs = [...a.events, ...b.events].filter((e) => e.event === "run").map((e) => e.refId);
    expect(runs).toHaveLength(1000);
    expect(new Set(runs).size).toBe(1000);
    const sample = ids.filter((_, i) => i % 50 === 0);
    for (const id of sample) {
      const winner = fromA[id] === "registered" ? "A" : "B";
      expect(await b.call("getTask", id)).toMatchObject({ status: "complete", retryCount: 0 });
      expect(await a.call("getValue", id)).toEqual({ by: winner });
    }
    // Each master holds a share of the tasks (hash and value per task, plus its buckets' indexes).
    const perNode = await keysPerNode(cluster(), prefix);
    console.info(`cluster: keys per master for 1 000 tasks: ${perNode.join(", ")}`);
    for (const count of perNode) expect(count).toBeGreaterThan(400);
    expect(perNode.reduce((x, y) => x + y, 0)).toBeGreaterThanOrEqual(2000);
  });

  it("A killed with SIGKILL mid-task: B and a fresh instance see 'worker lost' once the lease ends", async () => {
    // Last test: A does not come back.
    const prefix = await share(600);
    await a.call("startSlow", "doomed", true);
    await poll(
      () => b.call<Task>("getTask", "doomed"),
      (t) => (t.progress?.current ?? 0) >= 1,
    );
    await a.kill("SIGKILL");
    expect(await b.call<Task>("getTask", "doomed")).toMatchObject({ status: "processing" });
    const client = cluster().client({ redisOptions: { maxRetriesPerRequest: 0 } });
    await new Promise<void>((resolve) => client.once("ready", () => resolve()));
    const stores = createRedisStores({ client, prefix });
    const fresh = new RefCache({
      store: stores.store,
      taskStore: stores.taskStore,
      maxActiveTasks: 1,
      instanceId: "fresh",
    });
    try {
      const page = await poll(
        () => fresh.queryTasks({}),
        (p) => p.tasks.every((t) => t.status !== "processing"),
      );
      expect(page.tasks.find((t) => t.refId === "doomed")).toMatchObject({
        status: "failed",
        error: WORKER_LOST_MESSAGE,
      });
      expect(await fresh.registerTask("next", {})).toMatchObject({ status: "pending" });
      expect(await b.call<Task>("getTask", "doomed")).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE });
    } finally {
      await fresh.close();
      await stores.close();
      client.disconnect();
    }
  });
});
