/**
 * Two RefCache instances in two child processes sharing one Redis: progress seen across processes,
 * cancel from one aborting the other's work, 1 000 racing registrations of the same ids, and a
 * SIGKILLed worker whose task the other process sees fail once its lease ends.
 */

import { RefCache, WORKER_LOST_MESSAGE } from "@mcp-refcache/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRedisStores } from "../src/index.js";
import { RefCacheProcess } from "./process-driver.js";
import { deleteUnder, describeRedis, newPrefix, REDIS_URL, rawClient } from "./redis-fixture.js";

let a: RefCacheProcess;
let b: RefCacheProcess;
const prefixes: string[] = [];

/** Points A and B at a fresh prefix, with a new RefCache each, both subscribed. */
async function share(leaseMs = 60_000): Promise<string> {
  const prefix = newPrefix();
  prefixes.push(prefix);
  await Promise.all([a.call("open", prefix, leaseMs), b.call("open", prefix, leaseMs)]);
  return prefix;
}

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

describeRedis("two processes sharing one Redis", { timeout: 60_000 }, () => {
  // Two processes for the whole file: starting one costs seconds on a busy machine.
  beforeAll(() => {
    a = new RefCacheProcess({ REDIS_URL, INSTANCE: "A" });
    b = new RefCacheProcess({ REDIS_URL, INSTANCE: "B" });
  });
  afterAll(async () => {
    await Promise.all([a.kill("SIGKILL"), b.kill("SIGKILL")]);
    const cleaner = rawClient();
    for (const prefix of prefixes.splice(0)) await deleteUnder(cleaner, prefix);
    cleaner.disconnect();
  });

  it("B sees the progress of A's task, and B's cancel aborts A's signal through pub/sub", async () => {
    // A lease of 60 s renews every 20 s: an abort sooner than that came through pub/sub, not the heartbeat.
    await share();
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
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
    console.info(`cross-process cancel → abort latencies (ms): ${latencies.join(", ")}`);
    // The heartbeat fallback would take 20 s: every abort sooner than that came through pub/sub. How soon
    // (a few ms here, the issue asks for under 100) is logged above, not asserted: no speed checks in tests.
    expect(latencies.at(-1)).toBeLessThan(5_000);
  });

  it("1 000 ids registered on A and B at once: exactly one run each, every completion written once", async () => {
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
    // Every task complete, once, with the value of the instance that registered it.
    const sample = ids.filter((_, i) => i % 50 === 0);
    for (const id of sample) {
      const winner = fromA[id] === "registered" ? "A" : "B";
      expect(await b.call("getTask", id)).toMatchObject({ status: "complete", retryCount: 0 });
      expect(await a.call("getValue", id)).toEqual({ by: winner });
    }
    const admin = rawClient();
    expect(await admin.zcard(`${prefix}i:complete`)).toBe(1000);
    expect(await admin.zcard(`${prefix}i:pending`)).toBe(0);
    expect(await admin.zcard(`${prefix}i:processing`)).toBe(0);
    admin.disconnect();
  });

  it("A killed with SIGKILL mid-task: B sees the task fail with 'worker lost' once the lease ends", async () => {
    // Last test: A does not come back.
    const prefix = await share(600);
    await a.call("startSlow", "doomed", true);
    await poll(
      () => b.call<Task>("getTask", "doomed"),
      (t) => (t.progress?.current ?? 0) >= 1,
    );
    await a.kill("SIGKILL");
    expect(await b.call<Task>("getTask", "doomed")).toMatchObject({ status: "processing" });
    // A fresh instance that never reads the task by id nor runs a clean-up: its listing and its capacity
    // count agree with getTask once the lease has ended.
    const stores = createRedisStores({ url: REDIS_URL, prefix });
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
    }
  });
});
