import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { describe, expect, it } from "vitest";
import { sessionScope } from "../src/index.js";
import { deferred, textOf, until, useFixtures } from "./helpers.js";

type ToolResult = { content?: unknown; structuredContent?: Record<string, unknown>; isError?: boolean };
const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name, arguments: args }) as Promise<ToolResult>;

describe.each([
  { native: true, server: "with native tasks" },
  { native: false, server: "without native tasks" },
])("a client that knows nothing of MCP Tasks, on a server $server", ({ native }) => {
  const fixtures = useFixtures();

  it("gets a fast tool's value inline, as structuredContent and text", async () => {
    const { client } = await fixtures.connect(fixtures.cache(), { native });
    const result = await call(client, "add", { a: 2, b: 3 });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ sum: 5 });
    expect(JSON.parse(textOf(result))).toEqual({ sum: 5 });
  });

  it("gets a pending reference for slow work, follows its progress, then fetches the value", async () => {
    const { client, work } = await fixtures.connect(fixtures.cache(), { native });
    const pending = await call(client, "slow", { quarter: "Q3" });
    const refId = pending.structuredContent?.refId as string;
    expect(pending.structuredContent).toEqual({
      refId,
      status: "working",
      progress: { current: 1, total: 4, message: "step 1", percentage: 25 },
      pollIntervalMs: 50,
    });
    expect(textOf(pending)).toContain(`Call get_task_status with {"refId":"${refId}"}`);

    const early = await call(client, "get_cached_result", { refId });
    expect(early.isError).toBeFalsy();
    expect(textOf(early)).toMatch(/^Not ready yet/);

    work.stepGate.resolve();
    await until(async () => {
      const status = await call(client, "get_task_status", { refId });
      return (status.structuredContent?.progress as { current?: number } | undefined)?.current === 2;
    }, "progress step 2");
    const status = await call(client, "get_task_status", { refId });
    expect(status.structuredContent).toMatchObject({ refId, status: "working", progress: { percentage: 50 } });

    work.gate.resolve();
    await until(
      async () => (await call(client, "get_task_status", { refId })).structuredContent?.status === "completed",
      "completed",
    );
    const result = await call(client, "get_cached_result", { refId });
    expect(result.structuredContent).toEqual({ refId, status: "completed", value: { quarter: "Q3", revenue: 42 } });
  });

  it("gets progress notifications for a call with a progressToken until the answer, none after", async () => {
    const cache = fixtures.cache();
    const { client, work } = await fixtures.connect(cache, { native });
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    const progress: number[] = [];
    const pending = await client.callTool({ name: "slow", arguments: { quarter: "Q1" } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(progress).toEqual([1]);
    const refId = (pending.structuredContent as { refId: string }).refId;
    work.stepGate.resolve();
    await until(async () => (await cache.getTask(refId))?.progress?.current === 2, "step 2 recorded");
    await new Promise((r) => setTimeout(r, 20));
    expect(progress).toEqual([1]);
    expect(errors).toEqual([]);
  });

  it("sees failed work as failed, with its message, and gets no result", async () => {
    const { client, work } = await fixtures.connect(fixtures.cache(), { native });
    const pending = await call(client, "broken");
    const refId = pending.structuredContent?.refId as string;
    work.gate.resolve();
    await until(async () => (await call(client, "get_task_status", { refId })).structuredContent?.status === "failed");
    const status = await call(client, "get_task_status", { refId });
    expect(status.structuredContent).toMatchObject({ status: "failed", error: "the database is down" });
    const result = await call(client, "get_cached_result", { refId });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(`The work under refId "${refId}" failed: the database is down`);
  });

  it("cancels slow work with cancel_task: the handler's signal aborts and no result is stored", async () => {
    const cache = fixtures.cache();
    const { client, work } = await fixtures.connect(cache, { native });
    const refId = (await call(client, "slow", { quarter: "Q1" })).structuredContent?.refId as string;
    const cancelled = await call(client, "cancel_task", { refId });
    expect(cancelled.isError).toBeFalsy();
    expect(cancelled.structuredContent).toMatchObject({ refId, status: "cancelled" });
    await until(() => work.aborted !== undefined, "abort");
    expect((await call(client, "get_task_status", { refId })).structuredContent?.status).toBe("cancelled");
    const result = await call(client, "get_cached_result", { refId });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("was cancelled");
    const again = await call(client, "cancel_task", { refId });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toContain("has already finished (cancelled)");
    expect(await cache.get(refId)).toBeUndefined();
  });

  it("says a result expired once its time to live has passed", async () => {
    const { client, tools } = await fixtures.connect(fixtures.cache(), { native });
    const gate = deferred<void>();
    tools.registerTool("ephemeral", { timeoutMs: 0, ttlMs: 1 }, async () => {
      await gate.promise;
      return { short: "lived" };
    });
    const refId = ((await call(client, "ephemeral")).structuredContent as { refId: string }).refId;
    gate.resolve();
    await until(
      async () => (await call(client, "get_task_status", { refId })).structuredContent?.status === "completed",
    );
    await new Promise((r) => setTimeout(r, 10));
    const status = await call(client, "get_task_status", { refId });
    expect(status.structuredContent).toMatchObject({ status: "completed", resultExpired: true });
    expect(textOf(status)).toContain("its result has expired");
    const result = await call(client, "get_cached_result", { refId });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe(
      `The result under refId "${refId}" has expired and is gone. Run the original tool again to compute it anew.`,
    );
  });

  it("answers unknown and foreign refs alike with isError, never a protocol error", async () => {
    const cache = fixtures.cache();
    // Session scope, chosen explicitly: each session is its own owner.
    const options = { pollIntervalMs: 50, owner: sessionScope };
    const mine = await fixtures.connect(cache, { sessionId: "session-a", native, options });
    const theirs = await fixtures.connect(cache, { sessionId: "session-b", work: mine.work, native, options });
    const refId = (await call(mine.client, "slow", { quarter: "Q2" })).structuredContent?.refId as string;
    for (const tool of ["get_task_status", "get_cached_result", "cancel_task"]) {
      const foreign = await call(theirs.client, tool, { refId });
      const unknown = await call(theirs.client, tool, { refId: "mcp:no-such-ref" });
      expect(foreign.isError).toBe(true);
      expect(textOf(foreign)).toContain("it is unknown, it expired, or it belongs to another client");
      expect(textOf(unknown).replace("mcp:no-such-ref", refId)).toBe(textOf(foreign));
    }
    // The foreign cancel changed nothing: the owner still sees its work running.
    expect(mine.work.aborted).toBeUndefined();
    expect((await call(mine.client, "get_task_status", { refId })).structuredContent?.status).toBe("working");
  });
});
