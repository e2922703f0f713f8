import { createMemoryStores } from "@mcp-refcache/core";
import { CallToolResultSchema, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { textOf, until, useFixtures } from "./helpers.js";

describe("two server instances sharing one store pair", () => {
  const fixtures = useFixtures();

  async function twoInstances() {
    const stores = createMemoryStores();
    const cacheA = fixtures.cache({ ...stores, instanceId: "instance-a" });
    const cacheB = fixtures.cache({ ...stores, instanceId: "instance-b" });
    // One user, one principal on both instances (as behind a load balancer with a shared owner scope).
    const options = { owner: () => "user-1" };
    const a = await fixtures.connect(cacheA, { options });
    const b = await fixtures.connect(cacheB, { options });
    return { a, b };
  }

  it("polls and fetches through instance B work started on instance A", async () => {
    const { a, b } = await twoInstances();
    const pending = await a.client.callTool({ name: "slow", arguments: { quarter: "Q3" } });
    const refId = (pending.structuredContent as { refId: string }).refId;
    const status = await b.client.callTool({ name: "get_task_status", arguments: { refId } });
    expect(status.structuredContent).toMatchObject({ refId, status: "working", progress: { current: 1 } });
    a.work.stepGate.resolve();
    a.work.gate.resolve();
    await until(async () => {
      const s = await b.client.callTool({ name: "get_task_status", arguments: { refId } });
      return (s.structuredContent as { status: string }).status === "completed";
    }, "completed on B");
    const result = await b.client.callTool({ name: "get_cached_result", arguments: { refId } });
    expect(result.structuredContent).toEqual({ refId, status: "completed", value: { quarter: "Q3", revenue: 42 } });
    expect(b.work.runs).toBe(0);
  });

  it("cancels through instance B work running on instance A: A's handler signal aborts", async () => {
    const { a, b } = await twoInstances();
    const refId = (
      (await a.client.callTool({ name: "slow", arguments: { quarter: "Q1" } })).structuredContent as {
        refId: string;
      }
    ).refId;
    const cancelled = await b.client.callTool({ name: "cancel_task", arguments: { refId } });
    expect(cancelled.isError).toBeFalsy();
    await until(() => a.work.aborted !== undefined, "abort on A");
    const result = await a.client.callTool({ name: "get_cached_result", arguments: { refId } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("was cancelled");
  });

  it("answers tasks/get, tasks/cancel and tasks/result on B for a native task created on A", async () => {
    const { a, b } = await twoInstances();
    const { task } = await a.client.request(
      { method: "tools/call", params: { name: "slow", arguments: { quarter: "Q2" }, task: {} } },
      CreateTaskResultSchema,
    );
    expect((await b.client.experimental.tasks.getTask(task.taskId)).status).toBe("working");
    expect((await b.client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toContain(task.taskId);
    await b.client.experimental.tasks.cancelTask(task.taskId);
    await until(() => a.work.aborted !== undefined, "abort on A");
    const result = await b.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect((await a.client.experimental.tasks.getTask(task.taskId)).status).toBe("cancelled");
  });
});
