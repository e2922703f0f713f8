import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  type Progress,
  TaskStatusNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { sessionScope } from "../src/index.js";
import { textOf, until, useFixtures } from "./helpers.js";

function startTask(client: Client, name: string, args: Record<string, unknown>, onprogress?: (p: Progress) => void) {
  return client.request(
    { method: "tools/call", params: { name, arguments: args, task: { ttl: 60_000 } } },
    CreateTaskResultSchema,
    onprogress === undefined ? {} : { onprogress },
  );
}

describe("native MCP Tasks (2025-11-25)", () => {
  const fixtures = useFixtures();

  it("advertises taskSupport optional and the tasks capability", async () => {
    const { client } = await fixtures.connect(fixtures.cache());
    const tools = (await client.listTools()).tools;
    expect(tools.find((t) => t.name === "slow")?.execution).toEqual({ taskSupport: "optional" });
    expect(client.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
  });

  it("creates a task whose id is the ref id, answers tasks/get, then tasks/result with the value", async () => {
    const cache = fixtures.cache();
    const { client, work } = await fixtures.connect(cache);
    const created = await startTask(client, "slow", { quarter: "Q4" });
    const taskId = created.task.taskId;
    expect(created.task).toMatchObject({ status: "working", pollInterval: 50, ttl: 60_000 });
    expect((await cache.getTask(taskId))?.status).toMatch(/pending|processing/);

    await until(async () => (await client.experimental.tasks.getTask(taskId)).statusMessage !== undefined);
    expect(await client.experimental.tasks.getTask(taskId)).toMatchObject({
      taskId,
      status: "working",
      statusMessage: "1/4 (25%) step 1",
    });
    work.stepGate.resolve();
    work.gate.resolve();
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(result.structuredContent).toEqual({ quarter: "Q4", revenue: 42 });
    expect(result._meta?.["io.modelcontextprotocol/related-task"]).toEqual({ taskId });
    expect((await client.experimental.tasks.getTask(taskId)).status).toBe("completed");
    // The same ref answers the polling tools too.
    const viaTool = await client.callTool({ name: "get_cached_result", arguments: { refId: taskId } });
    expect(viaTool.structuredContent).toMatchObject({ value: { quarter: "Q4", revenue: 42 } });
  });

  it("answers tasks/result for a value stored execute-only under the finished task as its reference alone", async () => {
    const cache = fixtures.cache();
    const { client, work } = await fixtures.connect(cache);
    const taskId = (await startTask(client, "slow", { quarter: "Q1" })).task.taskId;
    work.stepGate.resolve();
    work.gate.resolve();
    await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    // Server code stores a secret under the finished task's ref id, execute-only: no read path shows it.
    const owner = (await cache.getTask(taskId))?.owner as string;
    await cache.set(taskId, { token: "sk-later-secret" }, { owner, executeOnly: true });
    const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(JSON.stringify(result)).not.toContain("sk-later-secret");
    expect(result.structuredContent).toMatchObject({ refId: taskId, executeOnly: true });
  });

  it("honours a requested ttl up to the configured one", async () => {
    const { client } = await fixtures.connect(fixtures.cache(), { options: { ttlMs: 120_000, pollIntervalMs: 50 } });
    const start = (ttl: number) =>
      client.request(
        { method: "tools/call", params: { name: "add", arguments: { a: 1, b: 2 }, task: { ttl } } },
        CreateTaskResultSchema,
      );
    expect((await start(30_000)).task.ttl).toBe(30_000);
    expect((await start(10 ** 12)).task.ttl).toBe(120_000);
  });

  it.each([60_000, 300])(
    "reports the granted ttl (%i ms) in tasks/get, tasks/list and the cancel answer",
    async (ttl) => {
      // An authenticated principal: the anonymous owner never lists (tasks/list is empty for it).
      const options = { owner: () => "auth:tester" };
      const { client, work } = await fixtures.connect(fixtures.cache(), { options });
      const { task } = await client.request(
        { method: "tools/call", params: { name: "slow", arguments: { quarter: "Q2" }, task: { ttl } } },
        CreateTaskResultSchema,
      );
      expect(task.ttl).toBe(ttl);
      await work.started.promise;
      expect((await client.experimental.tasks.getTask(task.taskId)).ttl).toBe(ttl);
      expect((await client.experimental.tasks.listTasks()).tasks.find((t) => t.taskId === task.taskId)?.ttl).toBe(ttl);
      expect((await client.experimental.tasks.cancelTask(task.taskId)).ttl).toBe(ttl);
      expect((await client.experimental.tasks.getTask(task.taskId)).ttl).toBe(ttl);
    },
  );

  it("tasks/cancel aborts the work, and tasks/result then gives an error result, not a protocol error", async () => {
    const { client, work } = await fixtures.connect(fixtures.cache());
    const { task } = await startTask(client, "slow", { quarter: "Q1" });
    await work.started.promise;
    const cancelled = await client.experimental.tasks.cancelTask(task.taskId);
    expect(cancelled.status).toBe("cancelled");
    await until(() => work.aborted !== undefined, "abort");
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("was cancelled");
  });

  it("tasks/result of failed work is an isError result carrying the failure", async () => {
    const { client, work } = await fixtures.connect(fixtures.cache());
    const { task } = await startTask(client, "broken", {});
    work.gate.resolve();
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("the database is down");
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({
      status: "failed",
      statusMessage: "the database is down",
    });
  });

  it("keeps tasks/list, tasks/get and tasks/cancel to the session, with session scope chosen", async () => {
    const cache = fixtures.cache();
    const options = { pollIntervalMs: 50, owner: sessionScope };
    const a = await fixtures.connect(cache, { sessionId: "session-a", options });
    const b = await fixtures.connect(cache, { sessionId: "session-b", work: a.work, options });
    const mine = (await startTask(a.client, "slow", { quarter: "Q1" })).task.taskId;
    const theirs = (await startTask(b.client, "slow", { quarter: "Q2" })).task.taskId;
    expect((await a.client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toEqual([mine]);
    expect((await b.client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId)).toEqual([theirs]);
    await expect(b.client.experimental.tasks.getTask(mine)).rejects.toThrow(/Task not found/);
    await expect(b.client.experimental.tasks.cancelTask(mine)).rejects.toThrow(/Task not found/);
    await expect(b.client.experimental.tasks.getTaskResult(mine, CallToolResultSchema)).rejects.toThrow(
      /Task not found/,
    );
    expect((await a.client.experimental.tasks.getTask(mine)).status).toBe("working");
  });

  it("sends progress to the client's onprogress after the CreateTaskResult, and status notifications", async () => {
    const { client, work } = await fixtures.connect(fixtures.cache());
    const statuses: string[] = [];
    client.setNotificationHandler(TaskStatusNotificationSchema, (n) => {
      statuses.push(n.params.status);
    });
    const progress: Progress[] = [];
    const { task } = await startTask(client, "slow", { quarter: "Q1" }, (p) => progress.push(p));
    work.stepGate.resolve();
    await until(() => progress.some((p) => p.progress === 2), "progress after CreateTaskResult");
    work.gate.resolve();
    await until(() => statuses.includes("completed"), "completed status notification");
    expect(progress.map((p) => p.progress)).toEqual(expect.arrayContaining([2, 4]));
    expect(progress.find((p) => p.progress === 2)).toEqual({ progress: 2, total: 4, message: "step 2" });
    expect((await client.experimental.tasks.getTask(task.taskId)).status).toBe("completed");
  });

  it("still answers a call without `task` inline or with a pending reference", async () => {
    const { client } = await fixtures.connect(fixtures.cache());
    expect((await client.callTool({ name: "add", arguments: { a: 1, b: 1 } })).structuredContent).toEqual({ sum: 2 });
    const pending = await client.callTool({ name: "slow", arguments: { quarter: "Q1" } });
    expect(pending.structuredContent).toMatchObject({ status: "working" });
  });
});
