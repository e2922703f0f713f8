/**
 * Large values with the real SDK v2 client (2025-era handshake and 2026-07-28), over the in-memory
 * transport and over Streamable HTTP (`createMcpHandler`): a 50,000-row table answered as its reference
 * + preview, paged to the end through get_cached_result and reassembled exactly, every answer's text and
 * structuredContent within the budget plus a small fixed envelope; the per-tool opt-out; and `tasks/get`
 * of the Tasks extension carrying the reference of a large result.
 */
import type { RefCache } from "@mcp-refcache/core";
import { VALUE_ANSWER_ENVELOPE_CHARS } from "@mcp-refcache/core/mcp";
import { answerSizes, readAllPages, type ToolAnswer } from "@mcp-refcache/core/testing";
import type { Client } from "@modelcontextprotocol/client";
import { McpServer } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { type RefCacheServerOptions, withRefCache } from "../src/index.js";
import {
  connectLegacy,
  connectModern,
  deferAfterEach,
  deferred,
  httpEndpoint,
  newCache,
  rawCall,
  settledTask,
  taskIdOf,
} from "./harness.js";

const ROWS = 50_000;
const BUDGET = 20_000;
const table = (rows: number) => ({
  rows: Array.from({ length: rows }, (_, id) => ({ id, name: `row ${id}`, score: (id * 7) % 100 })),
});
const RowsInput = z.object({ rows: z.number().int().min(1).max(200_000) });

/** `big_table`, a whole-answer twin (`valueBudget: false`) and a slow one held by `gate`. */
function factory(cache: RefCache, gate: Promise<void>, options: RefCacheServerOptions = {}) {
  return (): McpServer => {
    const server = new McpServer({ name: "large", version: "1.0.0" }, { capabilities: { tools: {} } });
    const tools = withRefCache(server, cache, { timeoutMs: 2_000, pollIntervalMs: 50, ...options });
    tools.registerTool("big_table", { description: "A big table", inputSchema: RowsInput }, async ({ rows }) =>
      table(rows),
    );
    tools.registerTool(
      "big_table_whole",
      { description: "A big table, always whole", inputSchema: RowsInput, valueBudget: false },
      async ({ rows }) => table(rows),
    );
    tools.registerTool(
      "slow_table",
      { description: "Slow", inputSchema: RowsInput, timeoutMs: 10 },
      async ({ rows }) => {
        await gate;
        return table(rows);
      },
    );
    return server;
  };
}

function expectWithin(answers: ToolAnswer[], budget = BUDGET) {
  for (const answer of answers) {
    const sizes = answerSizes(answer);
    expect(sizes.text).toBeLessThanOrEqual(budget + VALUE_ANSWER_ENVELOPE_CHARS);
    expect(sizes.structured).toBeLessThanOrEqual(budget + VALUE_ANSWER_ENVELOPE_CHARS);
  }
}

type Connect = (make: () => McpServer) => Promise<{ client: Client; close(): Promise<unknown> }>;

const connections: [string, Connect][] = [
  ["in-memory, 2025-era handshake", connectLegacy],
  ["in-memory, 2026-07-28", connectModern],
  [
    "Streamable HTTP, 2025-era handshake",
    async (make) => {
      const client = await httpEndpoint(make).connectAs("alice", false);
      return { client, close: () => client.close() };
    },
  ],
  [
    "Streamable HTTP, 2026-07-28",
    async (make) => {
      const client = await httpEndpoint(make).connectAs("alice", true);
      return { client, close: () => client.close() };
    },
  ],
];

describe.each(connections)("SDK v2 client, %s", (_name, connect) => {
  const defer = deferAfterEach();

  async function setup(options: RefCacheServerOptions = {}) {
    const cache = newCache();
    defer(() => cache.close());
    const gate = deferred<void>();
    const { client, close } = await connect(factory(cache, gate.promise, options));
    defer(close);
    const call = async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as ToolAnswer;
    return { cache, gate, client, call };
  }

  it("answers a 50,000-row table with its reference and preview, and pages it to the end exactly", async () => {
    const { call } = await setup();
    const answer = await call("big_table", { rows: ROWS });
    const reference = answer.structuredContent as { refId: string; complete: boolean; totalChars: number };
    expect(reference).toMatchObject({ status: "completed", complete: false });
    expect(reference.totalChars).toBe(JSON.stringify(table(ROWS)).length);
    const { value, answers } = await readAllPages((args) => call("get_cached_result", args), reference.refId);
    expect(value).toEqual(table(ROWS));
    expect(answers.length).toBeGreaterThan(100);
    expectWithin([answer, ...answers]);
  }, 60_000);

  it("answers whole for a tool with valueBudget: false; a smaller server budget sizes the rest", async () => {
    const { call, client } = await setup({ valueBudget: { maxChars: 2_000 } });
    expect((await call("big_table_whole", { rows: 2_000 })).structuredContent).toEqual(table(2_000));
    const big = await call("big_table", { rows: 2_000 });
    const { value, answers } = await readAllPages(
      (args) => call("get_cached_result", args),
      (big.structuredContent as { refId: string }).refId,
    );
    expect(value).toEqual(table(2_000));
    expectWithin([big, ...answers], 2_000);
    const listed = (await client.listTools()).tools;
    expect(listed.find((t) => t.name === "big_table")?.description).toMatch(
      /^A big table\. Results that are slow or larger than 2000 characters come back as a refId .*References live 60 min/,
    );
    expect(listed.find((t) => t.name === "big_table_whole")?.description).not.toContain("larger than");
  });

  it("pages a pending reference's large result once it completes", async () => {
    const { call, gate, cache } = await setup();
    const pending = await call("slow_table", { rows: 5_000 });
    const refId = (pending.structuredContent as { refId: string }).refId;
    expect(pending.structuredContent).toMatchObject({ status: "working" });
    gate.resolve();
    await cache.waitForTask(refId, { timeoutMs: 10_000 });
    const { value } = await readAllPages((args) => call("get_cached_result", args), refId);
    expect(value).toEqual(table(5_000));
  });

  it("answers a bad cursor or path with a clear tool error", async () => {
    const { call } = await setup();
    const big = await call("big_table", { rows: 5_000 });
    const refId = (big.structuredContent as { refId: string }).refId;
    for (const args of [
      { refId, cursor: "v1.nope" },
      { refId, path: "/rows/5000" },
    ]) {
      const answer = await call("get_cached_result", args);
      expect(answer.isError).toBe(true);
      expect(answer.content?.[0]?.text).toMatch(/^Invalid arguments/);
    }
  });
});

describe("tasks/get of the Tasks extension (2026-07-28) with a large result", () => {
  const defer = deferAfterEach();

  it("carries the reference and preview; the same ref pages through get_cached_result", async () => {
    const cache = newCache();
    defer(() => cache.close());
    const gate = deferred<void>();
    const { client, send, close } = await connectModern(factory(cache, gate.promise));
    defer(close);
    const taskId = taskIdOf(await rawCall(send, "tools/call", { name: "slow_table", arguments: { rows: ROWS } }));
    gate.resolve();
    const settled = await settledTask(send, taskId);
    const result = (settled as { result: { status: string; result: ToolAnswer } }).result;
    expect(result.status).toBe("completed");
    expect(result.result.structuredContent).toMatchObject({ refId: taskId, complete: false });
    expect(result.result.content?.[0]?.text).toContain("kept until");
    expectWithin([result.result]);
    const { value } = await readAllPages(
      async (args) => (await client.callTool({ name: "get_cached_result", arguments: args })) as ToolAnswer,
      taskId,
    );
    expect(value).toEqual(table(ROWS));
  }, 60_000);
});

describe("valueBudget options", () => {
  const defer = deferAfterEach();

  it("are checked where they enter: a bad one throws a ValidationError naming it, before anything runs", () => {
    const cache = newCache();
    defer(() => cache.close());
    const server = () => new McpServer({ name: "bad", version: "1.0.0" }, { capabilities: { tools: {} } });
    expect(() => withRefCache(server(), cache, { valueBudget: { maxChars: 10 } })).toThrow(/valueBudget.*64/s);
    expect(() => withRefCache(server(), cache, { valueBudget: true as never })).toThrow(/valueBudget/);
    const tools = withRefCache(server(), cache);
    expect(() => tools.registerTool("t", { valueBudget: { maxChars: 100, size: 3 } as never }, () => 1)).toThrow(
      /valueBudget/,
    );
  });
});
