/**
 * SDK v1 clients that ask for a 2025-11-25 task (`params.task`) against the SDK v2 adapter get one:
 * `experimental.tasks.callToolStream` sees the task created, its status and the final result (it used to
 * fail with a -32603 zod error, "expected object at path task"), and `tasks/get`, `tasks/list`,
 * `tasks/cancel` answer in that generation's shapes.
 */
import { CallToolResultSchema, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { connected, connectSdkV1, deferAfterEach } from "./harness.js";

describe("an SDK v1 client asking for a 2025-11-25 task on the SDK v2 adapter", () => {
  const defer = deferAfterEach();
  const setup = () => connected(defer, connectSdkV1);

  it("follows callToolStream from taskCreated to the result", async () => {
    const { client, work } = await setup();
    const kinds: string[] = [];
    let result: unknown;
    const stream = client.experimental.tasks.callToolStream(
      { name: "slow", arguments: { key: "streamed" } },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    );
    for await (const message of stream) {
      kinds.push(message.type);
      if (message.type === "taskCreated") {
        expect(message.task).toMatchObject({ status: "working", ttl: 60_000, pollInterval: 50 });
        work.release("streamed", { rows: 7 });
      }
      if (message.type === "result") result = message.result;
      if (message.type === "error") throw message.error;
    }
    expect(kinds[0]).toBe("taskCreated");
    expect(kinds.at(-1)).toBe("result");
    expect(result).toMatchObject({ structuredContent: { rows: 7 } });
  });

  it("answers tasks/get, tasks/list and tasks/cancel in the 2025-11-25 shapes, and cancel aborts the work", async () => {
    const { client, work } = await setup();
    const { task } = await client.request(
      { method: "tools/call", params: { name: "slow", arguments: { key: "v1-cancel" }, task: { ttl: 1_000 } } },
      CreateTaskResultSchema,
    );
    expect(task).toMatchObject({ status: "working", ttl: 1_000 });
    expect(await client.experimental.tasks.getTask(task.taskId)).toMatchObject({
      taskId: task.taskId,
      status: "working",
    });
    // The anonymous owner (no auth) never lists: tasks/list is empty for it, as on the SDK v1 adapter.
    expect((await client.experimental.tasks.listTasks()).tasks).toEqual([]);
    expect(await client.experimental.tasks.cancelTask(task.taskId)).toMatchObject({ status: "cancelled" });
    await work.aborted("v1-cancel");
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(result.isError).toBe(true);
  });

  it("answers tasks/result for a value stored execute-only under the finished task as its reference alone", async () => {
    const { client, work, cache } = await setup();
    const { task } = await client.request(
      { method: "tools/call", params: { name: "slow", arguments: { key: "v1-later" }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    work.release("v1-later", { rows: 1 });
    await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    // Server code stores a secret under the finished task's ref id, execute-only: no read path shows it.
    const owner = (await cache.getTask(task.taskId))?.owner as string;
    await cache.set(task.taskId, { token: "sk-later-secret" }, { owner, executeOnly: true });
    const result = await client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    expect(JSON.stringify(result)).not.toContain("sk-later-secret");
    expect(result.structuredContent).toMatchObject({ refId: task.taskId, executeOnly: true });
  });

  it("still answers a call without params.task inline or with a pending reference marked in _meta", async () => {
    const { client, work } = await setup();
    const answer = await client.callTool({ name: "quick", arguments: { text: "plain" } });
    expect(answer.structuredContent).toEqual({ echo: "plain" });
    const pending = await client.callTool({ name: "slow", arguments: { key: "marked" } });
    const refId = (pending.structuredContent as { refId: string }).refId;
    expect(pending._meta?.["io.modelcontextprotocol/related-task"]).toEqual({ taskId: refId });
    // The id it names answers tasks/get, as the related-task key promises.
    expect(await client.experimental.tasks.getTask(refId)).toMatchObject({ taskId: refId, status: "working" });
    work.release("marked", 1);
  });
});
