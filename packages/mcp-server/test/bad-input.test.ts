import type { RefCache } from "@mcp-refcache/core";
import { describe, expect, it } from "vitest";
import {
  connected,
  connectLegacy,
  connectModern,
  deferAfterEach,
  type RpcResponse,
  rawCall,
  TASKS,
  taskIdOf,
} from "./harness.js";

const errorOf = (response: RpcResponse) => {
  if ("error" in response) return response.error;
  throw new Error(`expected an error, got ${JSON.stringify(response)}`);
};

describe("bad input to the Tasks extension methods", () => {
  const defer = deferAfterEach();

  async function setup() {
    const { cache, work, send } = await connected(defer, connectModern);
    const taskId = taskIdOf(await rawCall(send, "tools/call", { name: "slow", arguments: { key: "k" } }));
    return { cache, work, send, taskId };
  }

  /** The stored task must be the same after the bad requests as before. */
  async function unchanged(cache: RefCache, taskId: string, badRequests: () => Promise<void>) {
    const before = await cache.getTask(taskId);
    await badRequests();
    expect(await cache.getTask(taskId)).toEqual(before);
  }

  const methods = ["tasks/get", "tasks/cancel", "tasks/update"] as const;
  const paramsFor = (method: string, taskId: unknown) =>
    method === "tasks/update" ? { taskId, inputResponses: {} } : { taskId };

  it.each(methods)("%s: an unknown task id is -32602", async (method) => {
    const { cache, send, taskId } = await setup();
    await unchanged(cache, taskId, async () => {
      const error = errorOf(await rawCall(send, method, paramsFor(method, "no-such-task")));
      expect(error.code).toBe(-32602);
      expect(error.message).toContain("Task not found");
    });
  });

  it.each(methods)("%s: a missing, mistyped or malformed task id is -32602", async (method) => {
    const { cache, send, taskId } = await setup();
    await unchanged(cache, taskId, async () => {
      for (const bad of [undefined, 42, "", "../etc/passwd", "x".repeat(300)]) {
        const error = errorOf(await rawCall(send, method, paramsFor(method, bad)));
        expect(error.code, `taskId ${JSON.stringify(bad)}`).toBe(-32602);
        expect(error.message.length).toBeGreaterThan(10);
      }
    });
  });

  it.each(methods)("%s without the extension declared is -32021 naming it", async (method) => {
    const { cache, send, taskId } = await setup();
    await unchanged(cache, taskId, async () => {
      const error = errorOf(await rawCall(send, method, paramsFor(method, taskId), false));
      expect(error.code).toBe(-32021);
      expect(error.data).toEqual({ requiredCapabilities: { extensions: { [TASKS]: {} } } });
    });
  });

  it("tasks/update on a task that never asks for input is acknowledged and changes nothing", async () => {
    const { cache, send, taskId } = await setup();
    await unchanged(cache, taskId, async () => {
      const response = await rawCall(send, "tasks/update", {
        taskId,
        inputResponses: { name: { action: "accept", content: { input: "Luca" } } },
      });
      expect(response).toMatchObject({ result: { resultType: "complete" } });
    });
  });

  it("tasks/cancel of a finished task is acknowledged and the task keeps its result", async () => {
    const { cache, send, taskId, work } = await setup();
    work.release("k", "done");
    await cache.waitForTask(taskId, { timeoutMs: 5_000 });
    await unchanged(cache, taskId, async () => {
      expect(await rawCall(send, "tasks/cancel", { taskId })).toMatchObject({ result: { resultType: "complete" } });
    });
    expect(await rawCall(send, "tasks/get", { taskId })).toMatchObject({
      result: { status: "completed", result: { structuredContent: { value: "done" } } },
    });
  });

  it("tools/call with arguments that fail the schema starts no task", async () => {
    const { cache, send, taskId } = await setup();
    const before = await cache.queryTasks({});
    const response = await rawCall(send, "tools/call", { name: "slow", arguments: { key: 7 } });
    expect(response).toMatchObject({ result: { isError: true } });
    expect(JSON.stringify(response)).toContain("key");
    expect(await cache.queryTasks({})).toEqual(before);
    expect(before.tasks.map((task) => task.refId)).toEqual([taskId]);
  });
});

describe("bad input to the polling tools", () => {
  const defer = deferAfterEach();

  it("answers unknown, malformed and extra arguments with a clear isError result", async () => {
    const { cache, client } = await connected(defer, connectLegacy);
    const pending = await client.callTool({ name: "slow", arguments: { key: "k" } });
    const refId = (pending.structuredContent as { refId: string }).refId;
    const before = await cache.getTask(refId);

    for (const tool of ["get_task_status", "get_cached_result", "cancel_task"]) {
      for (const args of [{ refId: "no-such-ref" }, { refId: "../x" }, {}, { refId, extra: true }]) {
        const answer = (await client.callTool({ name: tool, arguments: args })) as {
          isError?: boolean;
          content: { text: string }[];
        };
        expect(answer.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
        expect(answer.content[0]?.text.length).toBeGreaterThan(10);
      }
    }
    expect(await cache.getTask(refId)).toEqual(before);
  });

  it("a 2025-era client asking tasks/get for an id it does not own gets -32602 (2025-11-25 tasks)", async () => {
    const { client } = await connected(defer, connectLegacy);
    const { z } = await import("zod");
    await expect(
      client.request({ method: "tasks/get", params: { taskId: "abc" } }, z.object({}).loose()),
    ).rejects.toMatchObject({ code: -32602 });
  });
});
