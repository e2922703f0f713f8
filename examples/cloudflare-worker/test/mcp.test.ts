// A real MCP client (SDK v2, Streamable HTTP) against the example Worker's /mcp on workerd: slow_count
// answers with a pending reference, which the polling tools follow — each call its own request — to the
// count the work stored.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleWorker, skipWithoutWorkerd, startExample, until } from "./example-worker.js";

const skip = skipWithoutWorkerd();

describe.skipIf(skip)("MCP (SDK v2 client) against the example Worker", () => {
  let worker: ExampleWorker;
  let client: Client;
  beforeAll(async () => {
    worker = await startExample();
    client = new Client({ name: "cloudflare-example-test", version: "0.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(worker.url("/mcp"))));
  });
  afterAll(async () => {
    await client?.close();
    await worker?.dispose();
  });

  it("lists slow_count with the polling tools", async () => {
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining(["slow_count", "get_task_status", "get_cached_result", "cancel_task"]),
    );
  });

  it("a slow call answers with a pending reference that is followed to its result", async () => {
    const pending = await client.callTool({ name: "slow_count", arguments: { to: 5, delayMs: 400 } });
    const reference = pending.structuredContent as { refId: string; status: string };
    expect(pending.isError, JSON.stringify(pending)).not.toBe(true);
    expect(reference.refId).toMatch(/^worker:/);
    expect(["working", "pending", "processing"]).toContain(reference.status);
    const percentages: number[] = [];
    await until(
      async () =>
        (await client.callTool({ name: "get_task_status", arguments: { refId: reference.refId } }))
          .structuredContent as { status: string; progress?: { percentage?: number } },
      (status) => {
        const pct = status.progress?.percentage;
        if (pct !== undefined && percentages.at(-1) !== pct) percentages.push(pct);
        return status.status === "completed" || status.status === "complete";
      },
      15_000,
      "completed",
    );
    expect(percentages.length, worker.output()).toBeGreaterThan(1);
    expect(percentages.at(-1)).toBe(100);
    const result = await client.callTool({ name: "get_cached_result", arguments: { refId: reference.refId } });
    expect(result.structuredContent).toMatchObject({
      refId: reference.refId,
      status: "completed",
      value: { count: 5 },
    });
  });

  it("a quick call answers inline", async () => {
    const answer = await client.callTool({ name: "slow_count", arguments: { to: 2, delayMs: 10 } });
    expect(answer.structuredContent).toEqual({ count: 2 });
  });
});
