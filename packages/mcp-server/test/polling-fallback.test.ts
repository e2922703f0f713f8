import type { McpServer } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { sessionScope } from "../src/index.js";
import {
  connected,
  connectLegacy,
  connectModern,
  connectSdkV1,
  connectSession,
  deferAfterEach,
  newCache,
  serverFactory,
  Work,
} from "./harness.js";

/** What these tests use of a client: the same two calls on SDK v1's and v2's `Client`. */
interface ToolClient {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  listTools(): Promise<{ tools: { name: string }[] }>;
}
type Connect = (factory: () => McpServer) => Promise<{ client: ToolClient; close(): Promise<unknown> }>;

type ToolAnswer = { structuredContent?: Record<string, unknown>; content?: { text: string }[]; isError?: boolean };

const call = async (client: ToolClient, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as ToolAnswer;

/** Polls get_task_status until the task leaves `working`, as a model following the text would. */
async function statusWhenSettled(client: ToolClient, refId: string): Promise<ToolAnswer> {
  for (;;) {
    const status = await call(client, "get_task_status", { refId });
    if (status.structuredContent?.status !== "working") return status;
  }
}

const clients: Record<string, Connect> = {
  "a plain 2026-07-28 client (extension not declared)": connectModern,
  "a 2025-era v2 client (legacy handshake)": connectLegacy,
  "an SDK v1 client (2025-11-25)": connectSdkV1,
};

describe.each(Object.entries(clients))("%s", (_label, connect) => {
  const defer = deferAfterEach();

  const setup = () => connected(defer, connect);

  it("lists the tools and the three polling tools", async () => {
    const { client } = await setup();
    const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
    expect(names).toEqual(["cancel_task", "get_cached_result", "get_task_status", "patient", "quick", "slow"]);
  });

  it("gets a fast call's value inline", async () => {
    const { client } = await setup();
    const answer = await call(client, "quick", { text: "hi" });
    expect(answer.structuredContent).toEqual({ echo: "hi" });
    expect(answer.isError).toBeUndefined();
  });

  it("gets a pending reference for a slow call and completes it through the polling tools", async () => {
    const { client, work } = await setup();
    const pending = await call(client, "slow", { key: "report" });
    expect(pending.structuredContent).toMatchObject({ status: "working", pollIntervalMs: 50 });
    const refId = pending.structuredContent?.refId as string;
    expect(pending.content?.[0]?.text).toContain("get_task_status");

    const working = await call(client, "get_task_status", { refId });
    expect(working.structuredContent).toMatchObject({ refId, status: "working", progress: { current: 1, total: 4 } });
    const early = await call(client, "get_cached_result", { refId });
    expect(early.content?.[0]?.text).toMatch(/^Not ready yet/);

    work.release("report", { rows: 3 });
    expect((await statusWhenSettled(client, refId)).structuredContent).toMatchObject({ status: "completed" });
    const result = await call(client, "get_cached_result", { refId });
    expect(result.structuredContent).toEqual({ refId, status: "completed", value: { rows: 3 } });
  });

  it("cancel_task aborts the handler's signal; the ref then reports cancelled and has no result", async () => {
    const { client, work } = await setup();
    const refId = (await call(client, "slow", { key: "doomed" })).structuredContent?.refId as string;
    const cancelled = await call(client, "cancel_task", { refId });
    expect(cancelled.structuredContent).toMatchObject({ refId, status: "cancelled" });
    await work.aborted("doomed");
    expect((await call(client, "get_task_status", { refId })).structuredContent).toMatchObject({ status: "cancelled" });
    expect(await call(client, "get_cached_result", { refId })).toMatchObject({ isError: true });
    expect(await call(client, "cancel_task", { refId })).toMatchObject({ isError: true });
  });

  it("reports a failed slow call through get_task_status and get_cached_result", async () => {
    const { client, work } = await setup();
    const refId = (await call(client, "slow", { key: "broken" })).structuredContent?.refId as string;
    work.fail("broken", "disk on fire");
    const status = await statusWhenSettled(client, refId);
    expect(status.structuredContent).toMatchObject({ status: "failed", error: "disk on fire" });
    const result = await call(client, "get_cached_result", { refId });
    expect(result.isError).toBe(true);
    expect(result.content?.[0]?.text).toContain("disk on fire");
  });

  it("never answers with a native task", async () => {
    const { client, work } = await setup();
    const pending = (await call(client, "slow", { key: "plain" })) as Record<string, unknown>;
    expect(pending.resultType).not.toBe("task");
    expect(pending.taskId).toBeUndefined();
    work.release("plain", 1);
  });
});

describe("two legacy sessions on one cache", () => {
  const defer = deferAfterEach();

  it("cannot see each other's refs with session scope chosen", async () => {
    const cache = newCache();
    const work = new Work();
    defer(() => cache.close());
    const factory = serverFactory(cache, work, { owner: sessionScope });
    const first = await connectSession(factory, "session-1");
    const second = await connectSession(factory, "session-2");
    defer(first.close);
    defer(second.close);

    const refId = ((await call(first.client, "slow", { key: "mine" })).structuredContent as { refId: string }).refId;
    for (const name of ["get_task_status", "get_cached_result", "cancel_task"]) {
      expect(await call(second.client, name, { refId }), name).toMatchObject({ isError: true });
    }
    expect((await call(first.client, "get_task_status", { refId })).structuredContent).toMatchObject({
      status: "working",
    });
    expect((await cache.getTask(refId, { owner: "session:session-1" }))?.status).toBe("processing");
    work.release("mine", 1);
  });
});
