/**
 * `subscriptions/listen` with `notifications.taskIds` on the 2026-07-28 Tasks extension (SEP-2663): two
 * server instances (each its own RefCache and `createMcpHandler`) over one real Redis; a task started on
 * instance A is heard by a subscriber on instance B, change by change, until it is terminal.
 */
import { randomUUID } from "node:crypto";
import { ANONYMOUS_OWNER, RefCache } from "@mcp-refcache/core";
import { createRedisStores } from "@mcp-refcache/redis";
import { createMcpHandler } from "@modelcontextprotocol/server";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTaskSubscriptions } from "../src/index.js";
import { deferAfterEach, deferred, type Frame, frames, postRpc, serverFactory, TASKS, Work } from "./harness.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
let redisUp = false;
const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
probe.on("error", () => {});

beforeAll(async () => {
  try {
    await probe.connect();
    redisUp = (await probe.ping()) === "PONG";
  } catch {
    redisUp = false;
  }
  if (!redisUp) {
    if (process.env.CI === "true")
      throw new Error(`Redis is unreachable at ${REDIS_URL} (CI=true: this test must run)`);
    console.warn(`@mcp-refcache/mcp-server: task subscription tests skipped, nothing answers at ${REDIS_URL}`);
  }
});
afterAll(() => probe.disconnect());

describe("task status push over subscriptions/listen, two instances on one Redis", () => {
  const defer = deferAfterEach();

  async function instance(prefix: string, work: Work) {
    const stores = createRedisStores({ url: REDIS_URL, prefix });
    // Only this test's keys: never FLUSHALL/FLUSHDB on a shared Redis.
    defer(async () => {
      const keys = await probe.keys(`${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`);
      if (keys.length > 0) await probe.del(...keys);
    });
    const cache = new RefCache({ name: "push", store: stores.store, taskStore: stores.taskStore });
    defer(() => stores.close());
    defer(() => cache.close());
    const handler = withTaskSubscriptions(createMcpHandler(serverFactory(cache, work)), cache, {
      pollIntervalMs: 50,
      // Far beyond the test's time: only the change feed can deliver A's changes to B in time.
      recheckMs: 600_000,
    });
    const post = (method: string, params: Record<string, unknown>, id: number | string = 1) =>
      postRpc(handler, method, params, {
        id,
        transportHeaders: true,
        name: typeof params.name === "string" ? params.name : undefined,
      });
    return { cache, post };
  }

  it("streams a task's changes started on A to a subscriber on B, then ends", async (context) => {
    if (!redisUp) return context.skip();
    const prefix = `refcache-test:${randomUUID()}:`;
    const work = new Work();
    const a = await instance(prefix, work);
    const b = await instance(prefix, work);
    // B's change feed (Redis pub/sub) is up once B hears a change A makes.
    const heard = deferred<void>();
    const stop = b.cache.onTaskChange((task) => task.refId === "push:warm-up" && heard.resolve());
    await a.cache.registerTask("push:warm-up", async () => "warm");
    await heard.promise;
    stop();

    const created = (await (await a.post("tools/call", { name: "slow", arguments: { key: "pushed" } })).json()) as {
      result: { resultType: string; taskId: string };
    };
    expect(created.result.resultType).toBe("task");
    const { taskId } = created.result;

    const listen = await b.post(
      "subscriptions/listen",
      { notifications: { taskIds: [taskId, "unknown-id"] } },
      "sub-1",
    );
    expect(listen.headers.get("content-type")).toBe("text/event-stream");
    const seen: Frame[] = [];
    for await (const frame of frames(listen)) {
      seen.push(frame);
      if (frame.method === "notifications/subscriptions/acknowledged") {
        expect(frame.params).toMatchObject({
          notifications: { taskIds: [taskId] },
          _meta: { "io.modelcontextprotocol/subscriptionId": "sub-1" },
        });
      }
      // The first status (working) arrives: now finish the work on instance A.
      if (frame.method === "notifications/tasks" && frame.params?.status === "working")
        work.release("pushed", { n: 1 });
    }
    const statuses = seen.filter((f) => f.method === "notifications/tasks").map((f) => f.params?.status);
    expect(statuses[0]).toBe("working");
    expect(statuses.at(-1)).toBe("completed");
    const last = seen.filter((f) => f.method === "notifications/tasks").at(-1);
    expect(last?.params).toMatchObject({ taskId, result: { structuredContent: { n: 1 } } });
    // The stream ends with the listen request's own result.
    expect(seen.at(-1)).toMatchObject({ id: "sub-1", result: { resultType: "complete" } });
    expect(TASKS).toBe("io.modelcontextprotocol/tasks");
  });

  it("hands every other request to the SDK's handler", async (context) => {
    if (!redisUp) return context.skip();
    const prefix = `refcache-test:${randomUUID()}:`;
    const { post } = await instance(prefix, new Work());
    const answer = (await (await post("tools/call", { name: "quick", arguments: { text: "hi" } })).json()) as {
      result: { structuredContent: unknown };
    };
    expect(answer.result.structuredContent).toEqual({ echo: "hi" });
  });
});

describe("withTaskSubscriptions limits", () => {
  const defer = deferAfterEach();

  it("refuses a subscription past maxSubscriptions with -32603, and frees the slot when one ends", async () => {
    const cache = new RefCache({ name: "limit" });
    defer(() => cache.close());
    const work = new Work();
    const handler = withTaskSubscriptions(createMcpHandler(serverFactory(cache, work)), cache, { maxSubscriptions: 1 });
    const listen = (id: string, taskIds: string[]) =>
      postRpc(handler, "subscriptions/listen", { notifications: { taskIds } }, { id });
    // Held by the anonymous owner, whom a request without auth acts for (a server-only task it never hears of).
    await cache.registerTask("limit:one", (task) => work.hold("one", task.signal), { owner: ANONYMOUS_OWNER });
    const first = await listen("s1", ["limit:one"]);
    expect(first.headers.get("content-type")).toBe("text/event-stream");
    expect(await (await listen("s2", ["limit:one"])).json()).toMatchObject({
      id: "s2",
      error: { code: -32603, message: "Subscription limit reached" },
    });
    work.release("one", 1);
    const seen: Frame[] = [];
    for await (const frame of frames(first)) seen.push(frame);
    expect(seen.at(-1)).toMatchObject({ id: "s1", result: { resultType: "complete" } });
    const again = await listen("s3", ["limit:one"]);
    const replay: Frame[] = [];
    for await (const frame of frames(again)) replay.push(frame);
    // A finished task is told once (its final state) and the stream ends.
    expect(replay.filter((f) => f.method === "notifications/tasks").map((f) => f.params?.status)).toEqual([
      "completed",
    ]);
  });
});

/** A `subscriptions/listen` request (id "l1") for `taskIds` to `handler`, as a client without a session sends it. */
function listen(handler: { fetch(request: Request): Promise<Response> }, taskIds: string[]): Promise<Response> {
  return postRpc(handler, "subscriptions/listen", { notifications: { taskIds } }, { id: "l1" });
}

describe("withTaskSubscriptions and the owner rule", () => {
  const defer = deferAfterEach();

  it("acknowledges only tasks the caller may see: a server-only or another owner's task is never heard of", async () => {
    const cache = new RefCache({ name: "scoped" });
    defer(() => cache.close());
    const work = new Work();
    const handler = withTaskSubscriptions(createMcpHandler(serverFactory(cache, work)), cache);
    await cache.registerTask("scoped:server", (task) => work.hold("server", task.signal));
    await cache.registerTask("scoped:alice", (task) => work.hold("alice", task.signal), { owner: "auth:alice" });
    await cache.registerTask("scoped:mine", (task) => work.hold("mine", task.signal), { owner: ANONYMOUS_OWNER });
    const response = await listen(handler, ["scoped:server", "scoped:alice", "scoped:mine"]);
    const seen: Frame[] = [];
    work.release("server", 1);
    work.release("alice", 1);
    for await (const frame of frames(response)) {
      seen.push(frame);
      if (frame.method === "notifications/tasks") work.release("mine", 1);
    }
    const acknowledged = seen.find((f) => f.method === "notifications/subscriptions/acknowledged");
    expect(acknowledged?.params).toMatchObject({ notifications: { taskIds: ["scoped:mine"] } });
    const told = seen.filter((f) => f.method === "notifications/tasks").map((f) => f.params?.taskId);
    expect(new Set(told)).toEqual(new Set(["scoped:mine"]));
  });
});

describe("withTaskSubscriptions and changes in one millisecond", () => {
  const defer = deferAfterEach();

  it("tells each progress update, two written in the same millisecond included, in order", async () => {
    // One clock reading for every write: updatedAt cannot tell these changes apart.
    const cache = new RefCache({ name: "tick", clock: { now: () => 1_700_000_000_000 } });
    defer(() => cache.close());
    const handler = withTaskSubscriptions(createMcpHandler(serverFactory(cache, new Work())), cache);
    await cache.registerTask("tick:job", {}, { owner: ANONYMOUS_OWNER });
    await cache.startTask("tick:job");
    const response = await listen(handler, ["tick:job"]);
    const messages: unknown[] = [];
    let written = false;
    for await (const frame of frames(response)) {
      if (frame.method !== "notifications/tasks") continue;
      messages.push(frame.params?.statusMessage);
      if (!written) {
        written = true;
        await cache.updateTaskProgress("tick:job", { current: 1, total: 2, message: "one" });
        await cache.updateTaskProgress("tick:job", { current: 2, total: 2, message: "two" });
        await cache.completeTask("tick:job", { done: true });
      }
    }
    const said = messages.filter((m): m is string => typeof m === "string");
    expect(said.findIndex((m) => m.includes("one"))).toBeGreaterThanOrEqual(0);
    expect(said.findIndex((m) => m.includes("two"))).toBeGreaterThan(said.findIndex((m) => m.includes("one")));
  });
});
