import { resultFromTaskOutcome } from "@modelcontextprotocol/ext-tasks/client";
import { describe, expect, it } from "vitest";
import { connected, connectModern, deferAfterEach, rawCall, settledTask, TASKS, taskIdOf } from "./harness.js";

describe("a 2026-07-28 client that declares the Tasks extension", () => {
  const defer = deferAfterEach();

  const setup = () => connected(defer, connectModern);

  it("sees the extension advertised in the server capabilities", async () => {
    const { client } = await setup();
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getServerCapabilities()?.extensions).toHaveProperty([TASKS]);
  });

  it("gets a fast call's value inline, not a task", async () => {
    const { session } = await setup();
    const execution = await session.callTool("quick", { text: "hi" });
    expect(execution.kind).toBe("immediate");
    const { outcome } = await execution.settle();
    expect(resultFromTaskOutcome(outcome)).toMatchObject({ structuredContent: { echo: "hi" } });
  });

  it("gets a slow call back as a task, and settle() gives the result once the work completes", async () => {
    const { session, work } = await setup();
    const execution = await session.callTool("slow", { key: "report" });
    expect(execution.kind).toBe("task");
    work.release("report", { rows: 3 });
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe("completed");
    expect(resultFromTaskOutcome(outcome)).toMatchObject({ structuredContent: { rows: 3 } });
  });

  it("answers tools/call with the extension's CreateTaskResult fields", async () => {
    const { send, work } = await setup();
    const response = await rawCall(send, "tools/call", { name: "slow", arguments: { key: "fields" } });
    taskIdOf(response);
    const created = (response as { result: Record<string, unknown> }).result;
    expect(created).toMatchObject({ resultType: "task", status: "working", ttlMs: 3_600_000, pollIntervalMs: 50 });
    expect(created.taskId).toMatch(/^[A-Za-z0-9]/);
    expect(Date.parse(created.createdAt as string)).not.toBeNaN();
    expect(Date.parse(created.lastUpdatedAt as string)).not.toBeNaN();
    work.release("fields", 1);
  });

  it("answers tasks/get for a value stored execute-only under the finished task as its reference alone", async () => {
    const { send, work, cache } = await setup();
    const taskId = taskIdOf(await rawCall(send, "tools/call", { name: "slow", arguments: { key: "later" } }));
    work.release("later", { rows: 1 });
    await settledTask(send, taskId);
    // Server code stores a secret under the finished task's ref id, execute-only: no read path shows it.
    const owner = (await cache.getTask(taskId))?.owner as string;
    await cache.set(taskId, { token: "sk-later-secret" }, { owner, executeOnly: true });
    const read = await rawCall(send, "tasks/get", { taskId });
    expect(JSON.stringify(read)).not.toContain("sk-later-secret");
    expect(read).toMatchObject({
      result: { status: "completed", result: { structuredContent: { executeOnly: true } } },
    });
  });

  it("cancel() aborts the handler's signal and the task ends cancelled", async () => {
    const { session, work } = await setup();
    const execution = await session.callTool("slow", { key: "doomed" });
    expect(execution.kind).toBe("task");
    await execution.cancel();
    await work.aborted("doomed");
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe("cancelled");
  });

  it("reports a tool that throws as completed with an isError result (SEP-2663: failed is for protocol errors)", async () => {
    const { session, work } = await setup();
    const execution = await session.callTool("slow", { key: "broken" });
    expect(execution.kind).toBe("task");
    work.fail("broken", "disk on fire");
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe("completed");
    const result = outcome.status === "completed" ? (outcome.result as { isError?: boolean; content?: unknown }) : {};
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain("disk on fire");
  });

  it("tasks/get shows progress while working and inlines the result with resultType complete", async () => {
    const { send, work } = await setup();
    const taskId = taskIdOf(await rawCall(send, "tools/call", { name: "slow", arguments: { key: "inline" } }));
    const working = await rawCall(send, "tasks/get", { taskId });
    expect(working).toMatchObject({ result: { taskId, status: "working", statusMessage: "1/4 (25%) started" } });
    work.release("inline", ["a", "b"]);
    expect(await settledTask(send, taskId)).toMatchObject({
      result: {
        resultType: "complete",
        status: "completed",
        result: { resultType: "complete", structuredContent: { value: ["a", "b"] } },
      },
    });
  });
});
