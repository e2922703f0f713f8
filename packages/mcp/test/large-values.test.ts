/**
 * Large values with the real SDK v1 client, over the in-memory transport and over Streamable HTTP: a
 * 50,000-row table answered as its reference + preview, paged to the end through get_cached_result and
 * reassembled exactly; every answer on the wire (text and structuredContent, each as compact JSON) within
 * the budget plus a small fixed envelope; the per-tool opt-out; completion of a pending reference; and
 * tasks/result of a native task.
 */
import type { RefCache } from "@mcp-refcache/core";
import { VALUE_ANSWER_ENVELOPE_CHARS } from "@mcp-refcache/core/mcp";
import { answerSizes, deferred, readAllPages, type ToolAnswer } from "@mcp-refcache/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolResultSchema, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { refCacheServerOptions, type WithRefCacheOptions, withRefCache } from "../src/index.js";
import { useFixtures } from "./helpers.js";

const ROWS = 50_000;
const BUDGET = 20_000;
const table = (rows: number) => ({
  rows: Array.from({ length: rows }, (_, id) => ({ id, name: `row ${id}`, score: (id * 7) % 100 })),
});

/** Every `tools/call` result the server put on the wire, parsed back from its JSON text. */
type Wire = ToolAnswer[];

function recordResult(wire: Wire, message: unknown) {
  const result = (message as { result?: ToolAnswer }).result;
  if (result !== undefined && Array.isArray(result.content)) wire.push(result);
}

/** A server with `big_table`, a whole-answer twin (`valueBudget: false`) and a slow one held by `gate`. */
function buildServer(cache: RefCache, gate: Promise<void>, options: WithRefCacheOptions) {
  const server = new McpServer({ name: "large", version: "1.0.0" }, refCacheServerOptions(cache, options));
  const tools = withRefCache(server, cache, options);
  const rows = { rows: z.number().int().min(1).max(200_000) };
  tools.registerTool("big_table", { description: "A big table", inputSchema: rows }, async (args) => table(args.rows));
  tools.registerTool(
    "big_table_whole",
    { description: "A big table, always whole", inputSchema: rows, valueBudget: false },
    async (args) => table(args.rows),
  );
  tools.registerTool(
    "kept_table",
    { description: "Kept until deleted", inputSchema: rows, ttlMs: null },
    async (args) => table(args.rows),
  );
  tools.registerTool("slow_table", { description: "Slow", inputSchema: rows, timeoutMs: 10 }, async (args) => {
    await gate;
    return table(args.rows);
  });
  return server;
}

function expectWithinBudget(wire: Wire, budget = BUDGET) {
  expect(wire.length).toBeGreaterThan(0);
  for (const answer of wire) {
    const sizes = answerSizes(answer);
    expect(sizes.text).toBeLessThanOrEqual(budget + VALUE_ANSWER_ENVELOPE_CHARS);
    expect(sizes.structured).toBeLessThanOrEqual(budget + VALUE_ANSWER_ENVELOPE_CHARS);
  }
}

/** The SDK v1 client over an in-memory pair; the wire records what the server sends. */
async function inMemory(server: McpServer, wire: Wire) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const send = serverSide.send.bind(serverSide);
  serverSide.send = (message, options) => {
    const text = JSON.stringify(message);
    recordResult(wire, JSON.parse(text));
    return send(JSON.parse(text), options);
  };
  const client = new Client({ name: "c", version: "1" }, { capabilities: { tasks: { list: {}, cancel: {} } } });
  await server.connect(serverSide);
  await client.connect(clientSide);
  return client;
}

/** The SDK v1 client over Streamable HTTP (in-process fetch); the wire records each response body. */
async function overHttp(server: McpServer, wire: Wire) {
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => crypto.randomUUID(),
    enableJsonResponse: false,
  });
  await server.connect(transport);
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const request = new Request(url, init);
    const headers = new Headers(request.headers);
    headers.set("host", "127.0.0.1");
    const response = await transport.handleRequest(new Request(request, { headers }));
    if (response.body === null || !(response.headers.get("content-type") ?? "").includes("event-stream")) {
      if ((response.headers.get("content-type") ?? "").includes("json")) {
        recordResult(wire, await response.clone().json());
      }
      return response;
    }
    // Read the SSE body as it is sent, recording each data line's JSON-RPC message.
    const [mine, theirs] = response.body.tee();
    void (async () => {
      const reader = mine.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
          const data = buffer
            .slice(0, end)
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trim())
            .join("\n");
          buffer = buffer.slice(end + 2);
          if (data !== "") recordResult(wire, JSON.parse(data));
        }
      }
    })();
    return new Response(theirs, { status: response.status, headers: response.headers });
  };
  const client = new Client({ name: "c", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL("http://127.0.0.1/mcp"), { fetch }));
  return client;
}

describe.each([
  ["in-memory", inMemory],
  ["Streamable HTTP", overHttp],
] as const)("SDK v1 client over %s", (_transport, connect) => {
  const fixtures = useFixtures();

  async function setup(options: WithRefCacheOptions = {}) {
    const cache = fixtures.cache();
    const gate = deferred<void>();
    const wire: Wire = [];
    const client = await connect(buildServer(cache, gate.promise, { pollIntervalMs: 50, ...options }), wire);
    const callResult = async (args: Record<string, unknown>) =>
      (await client.callTool({ name: "get_cached_result", arguments: args })) as ToolAnswer;
    return { cache, gate, wire, client, callResult, close: () => client.close() };
  }

  it("answers a 50,000-row table with its reference and preview, and pages it to the end exactly", async () => {
    const { wire, client, callResult, close } = await setup();
    try {
      const answer = (await client.callTool({ name: "big_table", arguments: { rows: ROWS } })) as ToolAnswer;
      const reference = answer.structuredContent as { refId: string; complete: boolean; totalChars: number };
      expect(reference).toMatchObject({ status: "completed", complete: false });
      expect(reference.totalChars).toBe(JSON.stringify(table(ROWS)).length);
      expect(answer.content?.[0]?.text).toContain(`call get_cached_result with {"refId":"${reference.refId}"}`);
      const { value, answers } = await readAllPages(callResult, reference.refId);
      expect(value).toEqual(table(ROWS));
      expect(answers.length).toBeGreaterThan(100);
      await expect.poll(() => wire.length).toBe(answers.length + 1);
      expectWithinBudget(wire);
    } finally {
      await close();
    }
  }, 60_000);

  it("answers whole for a tool with valueBudget: false, and the polling tools follow a smaller adapter budget", async () => {
    const { client, callResult, close } = await setup({ valueBudget: { maxChars: 2_000 } });
    try {
      const whole = (await client.callTool({ name: "big_table_whole", arguments: { rows: 2_000 } })) as ToolAnswer;
      expect(whole.structuredContent).toEqual(table(2_000));
      const big = (await client.callTool({ name: "big_table", arguments: { rows: 2_000 } })) as ToolAnswer;
      const refId = (big.structuredContent as { refId: string }).refId;
      expect(JSON.stringify(big.structuredContent).length).toBeLessThanOrEqual(2_000 + VALUE_ANSWER_ENVELOPE_CHARS);
      const { value, answers } = await readAllPages(callResult, refId);
      expect(value).toEqual(table(2_000));
      for (const answer of answers) expect(answerSizes(answer).text).toBeLessThanOrEqual(2_000 + 1_000);
      const listed = (await client.listTools()).tools;
      expect(listed.find((t) => t.name === "big_table")?.description).toMatch(
        /^A big table\. Results that are slow or larger than 2000 characters come back as a refId .* References live 60 min/,
      );
      expect(listed.find((t) => t.name === "get_cached_result")?.description).toContain("nextCursor");
      expect(listed.find((t) => t.name === "kept_table")?.description).toContain(
        "References live until the server deletes them.",
      );
    } finally {
      await close();
    }
  });

  it("answers a pending reference's large result, once complete, as pages", async () => {
    const { gate, client, callResult, close, cache } = await setup();
    try {
      const pending = (await client.callTool({ name: "slow_table", arguments: { rows: 5_000 } })) as ToolAnswer;
      const refId = (pending.structuredContent as { refId: string; status: string }).refId;
      expect(pending.structuredContent).toMatchObject({ status: "working" });
      gate.resolve();
      await cache.waitForTask(refId, { timeoutMs: 10_000 });
      const { value, answers } = await readAllPages(callResult, refId);
      expect(value).toEqual(table(5_000));
      expect(answers[0]?.structuredContent).toHaveProperty("page");
    } finally {
      await close();
    }
  });

  it("answers a clear tool error for a bad cursor or path", async () => {
    const { client, callResult, close } = await setup();
    try {
      const big = (await client.callTool({ name: "big_table", arguments: { rows: 5_000 } })) as ToolAnswer;
      const refId = (big.structuredContent as { refId: string }).refId;
      for (const args of [
        { refId, cursor: "v1.nope" },
        { refId, path: "/rows/5000" },
        { refId, maxChars: 5 },
      ]) {
        const answer = await callResult(args);
        expect(answer.isError).toBe(true);
        // maxChars below 64 is refused by the SDK's own check of the advertised input schema.
        expect(answer.content?.[0]?.text).toMatch(/^Invalid arguments|Input validation error/);
      }
    } finally {
      await close();
    }
  });
});

describe("tasks/result of a native task (2025-11-25) with a large value", () => {
  const fixtures = useFixtures();

  it("answers the reference and preview, and the same ref pages through get_cached_result", async () => {
    const cache = fixtures.cache();
    const gate = deferred<void>();
    const wire: Wire = [];
    const client = await inMemory(buildServer(cache, gate.promise, { pollIntervalMs: 50 }), wire);
    try {
      const created = await client.request(
        { method: "tools/call", params: { name: "slow_table", arguments: { rows: ROWS }, task: { ttl: 60_000 } } },
        CreateTaskResultSchema,
      );
      const taskId = created.task.taskId;
      gate.resolve();
      const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
      expect(result.structuredContent).toMatchObject({ refId: taskId, status: "completed", complete: false });
      expect((result.content[0] as { text: string }).text).toContain("kept until");
      const { value } = await readAllPages(
        async (args) => (await client.callTool({ name: "get_cached_result", arguments: args })) as ToolAnswer,
        taskId,
      );
      expect(value).toEqual(table(ROWS));
      expectWithinBudget(wire);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe("valueBudget options", () => {
  const fixtures = useFixtures();

  it("are checked where they enter: a bad one throws a ValidationError naming it, before anything runs", () => {
    const cache = fixtures.cache();
    const server = () => new McpServer({ name: "bad", version: "1.0.0" });
    expect(() => withRefCache(server(), cache, { valueBudget: { maxChars: 10 } })).toThrow(/valueBudget.*64/s);
    expect(() => refCacheServerOptions(cache, { valueBudget: true as never })).toThrow(/valueBudget/);
    const tools = withRefCache(server(), cache);
    expect(() => tools.registerTool("t", { valueBudget: { maxChars: 100, size: 3 } as never }, async () => 1)).toThrow(
      /valueBudget/,
    );
  });
});
