/** notifications/tasks of withTaskSubscriptions answer a completed value within the adapter's valueBudget, as tasks/get does. */
import { ANONYMOUS_OWNER, MemoryStore, RefCache } from "@mcp-refcache/core";
import { createMcpHandler } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { withTaskSubscriptions } from "../src/index.js";
import { deferAfterEach, type Frame, frames, postRpc, serverFactory, Work } from "./harness.js";

/** The notifications/tasks a subscription to `taskIds` pushes, until its stream ends. */
async function pushedTasks(handler: { fetch(request: Request): Promise<Response> }, taskIds: string[]) {
  const stream = await postRpc(
    handler,
    "subscriptions/listen",
    { notifications: { taskIds } },
    { id: "s", transportHeaders: true },
  );
  const pushed: Frame[] = [];
  for await (const f of frames(stream)) if (f.method === "notifications/tasks") pushed.push(f);
  return pushed;
}

describe("notifications/tasks and the answer budget", () => {
  const defer = deferAfterEach();
  it("a pushed completed task's result keeps within the adapter's valueBudget, like tasks/get", async () => {
    const cache = new RefCache({ name: "budget" });
    defer(() => cache.close());
    const valueBudget = { maxChars: 500 };
    const handler = withTaskSubscriptions(
      createMcpHandler(serverFactory(cache, new Work(), { valueBudget })),
      cache,
      // The budget given to withRefCache, given here too when the option exists.
      { valueBudget },
    );
    const big = { rows: Array.from({ length: 400 }, (_, i) => `row ${i}`) }; // ~3,700 chars: over 500, under 20,000
    await cache.registerTask("budget:one", async () => big, { owner: ANONYMOUS_OWNER });
    await cache.waitForTask("budget:one", { owner: ANONYMOUS_OWNER, timeoutMs: 5_000 });
    const post = (id: string, method: string, params: Record<string, unknown>) =>
      postRpc(handler, method, params, {
        id,
        transportHeaders: true,
        name: typeof params.taskId === "string" ? params.taskId : undefined,
      });
    const got = await (await post("g", "tasks/get", { taskId: "budget:one" })).text();
    const pushed: Frame[] = [];
    for await (const f of frames(
      await post("s", "subscriptions/listen", { notifications: { taskIds: ["budget:one"] } }),
    ))
      if (f.method === "notifications/tasks") pushed.push(f);
    const pushedResult = (pushed.at(-1)?.params as { result?: { structuredContent?: unknown } } | undefined)?.result;
    const gotResult = (JSON.parse(got) as { result: { result?: { structuredContent?: unknown } } }).result.result;
    // tasks/get answers the reference and a preview within the budget; the push must answer the same way.
    expect(gotResult?.structuredContent).toMatchObject({ refId: "budget:one", complete: false });
    expect(pushedResult?.structuredContent).toMatchObject({ refId: "budget:one", complete: false });
    expect(JSON.stringify(pushedResult?.structuredContent).length).toBeLessThan(500 + 1_000);
  });

  it("a pushed result names the polling tools and links the reference as withRefCache's options say", async () => {
    const cache = new RefCache({ name: "names" });
    defer(() => cache.close());
    const options = { valueBudget: { maxChars: 500 }, names: { result: "fetch_result" }, resources: true } as const;
    const handler = withTaskSubscriptions(createMcpHandler(serverFactory(cache, new Work(), options)), cache, options);
    await cache.registerTask("names:one", async () => ({ rows: Array.from({ length: 400 }, (_, i) => `row ${i}`) }), {
      owner: ANONYMOUS_OWNER,
    });
    await cache.waitForTask("names:one", { owner: ANONYMOUS_OWNER, timeoutMs: 5_000 });
    const pushed = await pushedTasks(handler, ["names:one"]);
    const last = pushed.at(-1)?.params as { result?: { content: { type: string; text?: string }[] } } | undefined;
    const content = last?.result?.content ?? [];
    expect(content.find((c) => c.type === "text")?.text).toContain("call fetch_result with");
    expect(content.map((c) => c.type)).toContain("resource_link");
  });

  it("refuses task ids it does not take with -32602, and an owner it cannot form with a JSON-RPC error", async () => {
    const cache = new RefCache({ name: "refusals" });
    defer(() => cache.close());
    const handler = withTaskSubscriptions(createMcpHandler(serverFactory(cache, new Work())), cache);
    const listen = (taskIds: unknown, on = handler) =>
      postRpc(on, "subscriptions/listen", { notifications: { taskIds } }, { id: "s", transportHeaders: true });
    // A request that also asks for what the SDK serves is the SDK's, whatever its task ids.
    const mixed = await postRpc(
      handler,
      "subscriptions/listen",
      { notifications: { toolsListChanged: true, taskIds: [] } },
      { id: "m", transportHeaders: true },
    );
    expect(mixed.headers.get("content-type")).toMatch(/text\/event-stream/);
    await mixed.body?.cancel();
    for (const taskIds of [Array.from({ length: 101 }, (_, i) => `t${i}`), ["x".repeat(257)], [42], "t1", []]) {
      const answer = (await (await listen(taskIds)).json()) as {
        id: string;
        error?: { code: number; message: string };
      };
      expect([JSON.stringify(taskIds).slice(0, 40), answer.id, answer.error?.code]).toEqual([
        JSON.stringify(taskIds).slice(0, 40),
        "s",
        -32602,
      ]);
      expect(answer.error?.message).toMatch(/1 to 100 task ids of 1 to 256 characters/);
    }
    const throwing = withTaskSubscriptions(createMcpHandler(serverFactory(cache, new Work())), cache, {
      owner: () => {
        throw new Error("token lookup failed");
      },
    });
    const answer = (await (await listen(["t1"], throwing)).json()) as { error?: { code: number; message: string } };
    // The resolver's own words are the server's.
    expect(answer.error).toEqual({ code: -32603, message: "The caller's owner could not be resolved" });
  });

  it("ends the stream with the task failed when its stored value cannot be answered (another writer's, too deep)", async () => {
    const store = new MemoryStore();
    const cache = new RefCache({ name: "deep", store });
    defer(() => cache.close());
    const handler = withTaskSubscriptions(createMcpHandler(serverFactory(cache, new Work())), cache);
    await cache.registerTask("deep:one", async () => [1], { owner: ANONYMOUS_OWNER });
    await cache.waitForTask("deep:one", { owner: ANONYMOUS_OWNER, timeoutMs: 5_000 });
    // Another writer replaces the result with text nested far deeper than core writes.
    const data = `${"[".repeat(20_000)}1${"]".repeat(20_000)}`;
    await store.set("deep:one", { data, createdAt: Date.now(), version: 1, owner: ANONYMOUS_OWNER });
    const pushed = await pushedTasks(handler, ["deep:one"]);
    expect(pushed.at(-1)?.params).toMatchObject({ status: "failed", error: { data: { code: "STORE_ERROR" } } });
  });
});
