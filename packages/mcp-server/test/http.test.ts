import { createMemoryStores, type RefCache } from "@mcp-refcache/core";
import { resultFromTaskOutcome } from "@modelcontextprotocol/ext-tasks/client";
import { describe, expect, it } from "vitest";
import {
  deferAfterEach,
  httpEndpoint,
  newCache,
  rawCall,
  serverFactory,
  settledTask,
  taskIdOf,
  Work,
} from "./harness.js";

describe.each(["handler", "hono"] as const)("over HTTP with createMcpHandler (%s)", (mount) => {
  const defer = deferAfterEach();

  function endpoint(cache: RefCache, work: Work) {
    defer(() => cache.close());
    return httpEndpoint(serverFactory(cache, work), mount);
  }

  it("serves a native task to an ext-tasks session from one endpoint", async () => {
    const work = new Work();
    const http = endpoint(newCache(), work);
    const { session, close } = await http.sessionAs("alice");
    defer(close);
    const execution = await session.callTool("slow", { key: "report" });
    expect(execution.kind).toBe("task");
    work.release("report", { rows: 3 });
    const { outcome } = await execution.settle();
    expect(resultFromTaskOutcome(outcome)).toMatchObject({ structuredContent: { rows: 3 } });
  });

  it.each([
    ["2025-era", false],
    ["2026-era", true],
  ])("gives a %s client without the extension the polling path", async (_era, pin) => {
    const work = new Work();
    const http = endpoint(newCache(), work);
    const client = await http.connectAs("alice", pin);
    defer(() => client.close());
    expect(client.getProtocolEra()).toBe(pin ? "modern" : "legacy");
    const pending = await client.callTool({ name: "slow", arguments: { key: "poll" } });
    const refId = (pending.structuredContent as { refId: string }).refId;
    work.release("poll", "ok");
    let status = "working";
    while (status === "working") {
      const answer = await client.callTool({ name: "get_task_status", arguments: { refId } });
      status = (answer.structuredContent as { status: string }).status;
    }
    const result = await client.callTool({ name: "get_cached_result", arguments: { refId } });
    expect(result.structuredContent).toEqual({ refId, status: "completed", value: "ok" });
  });

  it("keeps two principals' tasks apart, on both paths", async () => {
    const work = new Work();
    const http = endpoint(newCache(), work);
    const alice = http.sendAs("alice");
    const bob = http.sendAs("bob");
    const taskId = taskIdOf(await rawCall(alice, "tools/call", { name: "slow", arguments: { key: "secret" } }));

    for (const method of ["tasks/get", "tasks/cancel", "tasks/update"]) {
      const response = await rawCall(bob, method, { taskId, inputResponses: {} });
      expect(response, method).toMatchObject({ error: { code: -32602 } });
    }
    for (const name of ["get_task_status", "get_cached_result", "cancel_task"]) {
      const response = await rawCall(bob, "tools/call", { name, arguments: { refId: taskId } }, false);
      expect(response, name).toMatchObject({ result: { isError: true } });
    }
    expect(await rawCall(alice, "tasks/get", { taskId })).toMatchObject({ result: { taskId, status: "working" } });

    work.release("secret", "for alice");
    expect(await settledTask(alice, taskId)).toMatchObject({
      result: { status: "completed", result: { structuredContent: { value: "for alice" } } },
    });
    expect(await rawCall(bob, "tasks/get", { taskId })).toMatchObject({ error: { code: -32602 } });
  });

  describe("two handler instances sharing one store pair", () => {
    function twoInstances() {
      const stores = createMemoryStores();
      const work = new Work();
      const first = endpoint(newCache(stores), work);
      const second = endpoint(newCache(stores), work);
      return { work, first: first.sendAs("alice"), second: second.sendAs("alice") };
    }

    it("serve one task: created on one, read to completion on the other", async () => {
      const { work, first, second } = twoInstances();
      const taskId = taskIdOf(await rawCall(first, "tools/call", { name: "slow", arguments: { key: "shared" } }));
      expect(await rawCall(second, "tasks/get", { taskId })).toMatchObject({ result: { status: "working" } });
      work.release("shared", { from: "first" });
      expect(await settledTask(second, taskId)).toMatchObject({
        result: { status: "completed", result: { structuredContent: { from: "first" } } },
      });
    });

    it("serve one task: cancelled on the other, the running handler's signal aborts", async () => {
      const { work, first, second } = twoInstances();
      const taskId = taskIdOf(await rawCall(first, "tools/call", { name: "slow", arguments: { key: "stop" } }));
      expect(await rawCall(second, "tasks/cancel", { taskId })).toMatchObject({ result: { resultType: "complete" } });
      await work.aborted("stop");
      expect(await rawCall(first, "tasks/get", { taskId })).toMatchObject({ result: { status: "cancelled" } });
    });
  });
});
