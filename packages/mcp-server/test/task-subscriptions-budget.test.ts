/** notifications/tasks of withTaskSubscriptions answer a completed value within the adapter's valueBudget, as tasks/get does. */
import { ANONYMOUS_OWNER, RefCache } from "@mcp-refcache/core";
import { createMcpHandler } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { withTaskSubscriptions } from "../src/index.js";
import { deferAfterEach, type Frame, frames, postRpc, serverFactory, Work } from "./harness.js";

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
});
