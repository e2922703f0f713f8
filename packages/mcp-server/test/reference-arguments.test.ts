/**
 * References as tool inputs and execute-only values with the real SDK v2 client over Streamable HTTP and
 * two authenticated principals: a reference passed from one tool to the next, another principal's
 * reference refused in the same words as an unknown one, id-like strings untouched, execute-only results
 * usable by reference and refused by every read path.
 */
import type { RefCache } from "@mcp-refcache/core";
import type { Client } from "@modelcontextprotocol/client";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { McpServer } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { withRefCache } from "../src/index.js";
import { connectSdkV1, deferAfterEach, httpEndpoint, newCache } from "./harness.js";

const SECRET = "sk-live-abcdef";
const Rows = z.array(z.object({ id: z.number(), score: z.number() }));

function factory(cache: RefCache) {
  return (): McpServer => {
    const server = new McpServer({ name: "refs", version: "1.0.0" }, { capabilities: { tools: {} } });
    const tools = withRefCache(server, cache, { pollIntervalMs: 50 });
    tools.registerTool("big_table", { inputSchema: z.object({ rows: z.number().int().min(1) }) }, async ({ rows }) => ({
      rows: Array.from({ length: rows }, (_, id) => ({ id, score: (id * 7) % 100 })),
    }));
    tools.registerTool(
      "sum_column",
      { inputSchema: z.object({ table: Rows, column: z.literal("score") }), refParams: ["table"] },
      async ({ table, column }) => ({
        column,
        sum: table.reduce((s, row) => s + row[column], 0),
        count: table.length,
      }),
    );
    tools.registerTool("echo", { inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({ text }));
    // A parameter whose own schema would take { refId } as a value of its own (unknown keys stripped).
    tools.registerTool(
      "pick",
      { inputSchema: z.object({ row: z.object({ id: z.number().optional() }) }), refParams: ["row"] },
      async ({ row }) => ({ row }),
    );
    tools.registerTool("issue_key", { executeOnly: true }, async () => ({ apiKey: SECRET }));
    tools.registerTool(
      "call_api",
      { inputSchema: z.object({ key: z.object({ apiKey: z.string() }) }), refParams: ["key"] },
      async ({ key }) => ({ authorized: key.apiKey === SECRET }),
    );
    return server;
  };
}

const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name, arguments: args });
const textOf = (result: { content?: unknown }) =>
  ((result.content ?? []) as { text?: string }[]).map((c) => c.text ?? "").join("\n");

describe.each([
  ["2025 protocol", false],
  ["2026-07-28 protocol", true],
])("reference arguments over SDK v2 (%s)", (_label, pin) => {
  const defer = deferAfterEach();

  async function setup() {
    const cache = newCache({ valueBudget: { maxChars: 2_000 } });
    defer(() => cache.close());
    const http = httpEndpoint(factory(cache));
    const alice = await http.connectAs("alice", pin);
    const bob = await http.connectAs("bob", pin);
    defer(() => alice.close());
    defer(() => bob.close());
    return { cache, alice, bob };
  }

  it("pass a large result from one tool to the next without it entering an answer", async () => {
    const { alice } = await setup();
    const big = await call(alice, "big_table", { rows: 5_000 });
    const { refId } = big.structuredContent as { refId: string };
    expect(typeof refId).toBe("string");
    const listed = await alice.listTools();
    const schema = JSON.stringify(listed.tools.find((t) => t.name === "sum_column")?.inputSchema);
    expect(schema).toContain("refId");
    const summed = await call(alice, "sum_column", { table: { refId, path: "/rows" }, column: "score" });
    let expected = 0;
    for (let id = 0; id < 5_000; id++) expected += (id * 7) % 100;
    expect(summed.structuredContent).toEqual({ column: "score", sum: expected, count: 5_000 });
  });

  it("resolve a reference even where the parameter's own schema would strip it to {}", async () => {
    const { alice } = await setup();
    const { refId } = (await call(alice, "big_table", { rows: 5_000 })).structuredContent as { refId: string };
    const picked = await call(alice, "pick", { row: { refId, path: "/rows/3" } });
    expect(picked.structuredContent).toEqual({ row: { id: 3 } });
    expect((await call(alice, "pick", { row: { id: 7 } })).structuredContent).toEqual({ row: { id: 7 } });
  });

  it("refuse another principal's reference in the same words as an unknown one; id-like strings stay strings", async () => {
    const { alice, bob } = await setup();
    const { refId } = (await call(alice, "big_table", { rows: 5_000 })).structuredContent as { refId: string };
    const foreign = await call(bob, "sum_column", { table: { refId, path: "/rows" }, column: "score" });
    const unknown = await call(bob, "sum_column", { table: { refId: "nope-123", path: "/rows" }, column: "score" });
    expect([foreign.isError, unknown.isError]).toEqual([true, true]);
    expect(textOf(foreign).replaceAll(refId, "<ref>")).toBe(textOf(unknown).replaceAll("nope-123", "<ref>"));
    expect((await call(alice, "echo", { text: "git:deadbeefcafe" })).structuredContent).toEqual({
      text: "git:deadbeefcafe",
    });
  });

  it("answer an execute-only result as its reference alone, refuse reading it, and let a tool use it", async () => {
    const { alice, bob } = await setup();
    const issued = await call(alice, "issue_key");
    expect(JSON.stringify(issued)).not.toContain(SECRET);
    const { refId } = issued.structuredContent as { refId: string };
    expect(issued.structuredContent).toEqual({ refId, status: "completed", executeOnly: true });
    for (const args of [{ refId }, { refId, full: true }, { refId, path: "/apiKey" }]) {
      const read = await call(alice, "get_cached_result", args);
      expect(read.isError).toBe(true);
      expect(JSON.stringify(read)).not.toContain(SECRET);
    }
    expect((await call(alice, "call_api", { key: { refId } })).structuredContent).toEqual({ authorized: true });
    expect((await call(bob, "call_api", { key: { refId } })).isError).toBe(true);
  });
});

describe("an SDK v1 client asking for a 2025-11-25 task of a tool with reference arguments", () => {
  const defer = deferAfterEach();

  /** Follows callToolStream to its result (or error), as a 2025-era client would. */
  async function streamed(client: Awaited<ReturnType<typeof connectSdkV1>>["client"], args: Record<string, unknown>) {
    const kinds: string[] = [];
    let result: unknown;
    for await (const message of client.experimental.tasks.callToolStream(
      { name: "sum_column", arguments: args },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    )) {
      kinds.push(message.type);
      if (message.type === "result") result = message.result;
      if (message.type === "error") result = { error: message.error.message };
    }
    return { kinds, result };
  }

  it("gets a task that resolves the reference, or fails with the refusal when the reference is unusable", async () => {
    const cache = newCache();
    defer(() => cache.close());
    await cache.set("rows", { rows: [{ id: 1, score: 5 }] }, { owner: "anonymous" });
    const { client, close } = await connectSdkV1(factory(cache));
    defer(close);
    const ok = await streamed(client, { table: { refId: "rows", path: "/rows" }, column: "score" });
    expect(ok.kinds[0]).toBe("taskCreated");
    expect(ok.result).toMatchObject({ structuredContent: { column: "score", sum: 5, count: 1 } });
    const refused = await streamed(client, { table: { refId: "nope", path: "/rows" }, column: "score" });
    expect(refused.kinds[0]).toBe("taskCreated");
    // The 2025-era client words a failed task itself; the task holds the refusal, the handler never ran.
    const taskId = /Task (\S+) failed/.exec(JSON.stringify(refused.result))?.[1] as string;
    expect((await cache.getTask(taskId))?.error).toMatch(/cannot be used/);
  });
});
