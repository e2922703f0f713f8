/**
 * References as tool inputs and execute-only values with the real SDK v1 client: a reference passed from
 * one tool to the next, another principal's reference refused in the same words as an unknown one,
 * id-like strings untouched, execute-only results usable by reference and refused by every read path.
 */
import { type RefCache, RefCache as RefCacheClass } from "@mcp-refcache/core";
import { refResourceUri } from "@mcp-refcache/core/mcp";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolResultSchema, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { refCacheServerOptions, withRefCache } from "../src/index.js";
import { authenticatedAs, textOf } from "./helpers.js";

const SECRET = "sk-live-abcdef";
const Rows = z.array(z.object({ id: z.number(), score: z.number() }));

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

/** A server over `cache` with the demo tools, and a client whose every request carries `clientId`'s auth. */
async function connect(cache: RefCache, clientId: string, native: boolean): Promise<Client> {
  const options = { pollIntervalMs: 50, resources: true };
  const server = new McpServer({ name: "refs", version: "1.0.0" }, native ? refCacheServerOptions(cache, options) : {});
  const tools = withRefCache(server, cache, options);
  tools.registerTool("big_table", { inputSchema: { rows: z.number().int().min(1) } }, ({ rows }) => ({
    rows: Array.from({ length: rows }, (_, id) => ({ id, score: (id * 7) % 100 })),
  }));
  tools.registerTool(
    "sum_column",
    { inputSchema: { table: Rows, column: z.literal("score") }, refParams: ["table"] },
    ({ table, column }) => ({ column, sum: table.reduce((s, row) => s + row[column], 0), count: table.length }),
  );
  tools.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text }) => ({ text }));
  tools.registerTool("issue_key", { executeOnly: true }, () => ({ apiKey: SECRET }));
  tools.registerTool(
    "call_api",
    { inputSchema: { key: z.object({ apiKey: z.string() }) }, refParams: ["key"] },
    ({ key }) => ({ authorized: key.apiKey === SECRET }),
  );
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  authenticatedAs(clientTransport, clientId);
  const client = new Client({ name: clientId, version: "1.0.0" });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  closers.push(
    () => client.close(),
    () => server.close(),
  );
  return client;
}

function makeCache(): RefCache {
  const cache = new RefCacheClass({ name: "refs", valueBudget: { maxChars: 2_000 } });
  closers.push(() => cache.close());
  return cache;
}

const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name, arguments: args }, CallToolResultSchema);

describe.each([
  ["without native tasks", false],
  ["with native tasks", true],
])("reference arguments over SDK v1 (%s)", (_label, native) => {
  it("pass a large result from one tool to the next without it entering an answer", async () => {
    const cache = makeCache();
    const alice = await connect(cache, "alice", native);
    const big = await call(alice, "big_table", { rows: 5_000 });
    const { refId } = big.structuredContent as { refId: string };
    expect(typeof refId).toBe("string");
    const tools = await alice.listTools();
    const schema = JSON.stringify(tools.tools.find((t) => t.name === "sum_column")?.inputSchema);
    expect(schema).toContain("refId");
    expect(schema).toContain("anyOf");
    const summed = await call(alice, "sum_column", { table: { refId, path: "/rows" }, column: "score" });
    let expected = 0;
    for (let id = 0; id < 5_000; id++) expected += (id * 7) % 100;
    expect(summed.isError).toBeFalsy();
    expect(summed.structuredContent).toEqual({ column: "score", sum: expected, count: 5_000 });
    expect(JSON.stringify(summed).length).toBeLessThan(1_000);
  });

  it("refuse another principal's reference in the same words as an unknown one", async () => {
    const cache = makeCache();
    const alice = await connect(cache, "alice", native);
    const bob = await connect(cache, "bob", native);
    const { refId } = (await call(alice, "big_table", { rows: 5_000 })).structuredContent as { refId: string };
    const foreign = await call(bob, "sum_column", { table: { refId, path: "/rows" }, column: "score" });
    const unknown = await call(bob, "sum_column", { table: { refId: "nope-123", path: "/rows" }, column: "score" });
    expect(foreign.isError).toBe(true);
    expect(unknown.isError).toBe(true);
    expect(textOf(foreign).replaceAll(refId, "<ref>")).toBe(textOf(unknown).replaceAll("nope-123", "<ref>"));
    const badPath = await call(alice, "sum_column", { table: { refId, path: "/nope" }, column: "score" });
    expect(badPath.isError).toBe(true);
    expect(textOf(badPath)).toMatch(/path/);
  });

  it("leave id-like strings untouched", async () => {
    const cache = makeCache();
    const alice = await connect(cache, "alice", native);
    await cache.set("git:deadbeefcafe", "stored", { owner: "auth:alice" });
    const echoed = await call(alice, "echo", { text: "git:deadbeefcafe" });
    expect(echoed.structuredContent).toEqual({ text: "git:deadbeefcafe" });
  });

  it("answer an execute-only result as its reference alone, refuse reading it, and let a tool use it", async () => {
    const cache = makeCache();
    const alice = await connect(cache, "alice", native);
    const issued = await call(alice, "issue_key");
    expect(JSON.stringify(issued)).not.toContain(SECRET);
    const { refId } = issued.structuredContent as { refId: string; executeOnly: true };
    expect(issued.structuredContent).toEqual({ refId, status: "completed", executeOnly: true });
    for (const args of [{ refId }, { refId, full: true }, { refId, path: "/apiKey" }]) {
      const read = await call(alice, "get_cached_result", args);
      expect(read.isError).toBe(true);
      expect(JSON.stringify(read)).not.toContain(SECRET);
      expect(textOf(read)).toMatch(/execute-only/);
    }
    const used = await call(alice, "call_api", { key: { refId } });
    expect(used.structuredContent).toEqual({ authorized: true });
    expect(JSON.stringify(used)).not.toContain(SECRET);
  });

  it("serve references as resources: the template, whole and paged reads, foreign as unknown, execute-only refused", async () => {
    const cache = makeCache();
    const alice = await connect(cache, "alice", native);
    const bob = await connect(cache, "bob", native);
    const templates = await alice.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toEqual(["refcache://refs/{refId}"]);
    const big = await call(alice, "big_table", { rows: 3_000 });
    const { refId } = big.structuredContent as { refId: string };
    expect((big.content as { type: string }[]).find((c) => c.type === "resource_link")).toMatchObject({
      type: "resource_link",
      uri: refResourceUri(refId),
      mimeType: "application/json",
    });
    const first = JSON.parse(
      ((await alice.readResource({ uri: refResourceUri(refId) })).contents[0] as { text: string }).text,
    ) as { partialUris: string[] };
    const rows: unknown[] = [];
    let uri: string | undefined = first.partialUris[0];
    while (uri !== undefined) {
      const page = JSON.parse(((await alice.readResource({ uri })).contents[0] as { text: string }).text) as {
        value: unknown[];
        nextUri?: string;
      };
      rows.push(...page.value);
      uri = page.nextUri;
    }
    expect(rows).toEqual(Array.from({ length: 3_000 }, (_, id) => ({ id, score: (id * 7) % 100 })));
    const refused = (client: Client, target: string) =>
      client.readResource({ uri: target }).then(
        () => "read",
        (error: Error) => error.message.replaceAll(target, "<uri>"),
      );
    const foreign = await refused(bob, refResourceUri(refId));
    expect(foreign).not.toBe("read");
    expect(foreign).toBe(await refused(bob, refResourceUri("never-stored")));
    const key = (await call(alice, "issue_key")).structuredContent as { refId: string };
    const secret = await refused(alice, refResourceUri(key.refId));
    expect(secret).toMatch(/execute-only/);
    expect(secret).not.toContain(SECRET);
  });
});

describe("reference arguments and execute-only results as native tasks (SDK v1, task-augmented calls)", () => {
  const startTask = (client: Client, name: string, args: Record<string, unknown>) =>
    client.request(
      { method: "tools/call", params: { name, arguments: args, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
  const resultOf = async (client: Client, taskId: string) => {
    await client.experimental.tasks.getTask(taskId);
    return client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
  };

  it("resolve a reference before the task starts, and answer an execute-only task's result as its reference alone", async () => {
    const cache = makeCache();
    const alice = await connect(cache, "alice", true);
    const { refId } = (await call(alice, "big_table", { rows: 100 })).structuredContent as { refId: string };
    const summed = await startTask(alice, "sum_column", { table: { refId, path: "/rows" }, column: "score" });
    const summedResult = await resultOf(alice, summed.task.taskId);
    expect(summedResult.structuredContent).toMatchObject({ column: "score", count: 100 });
    const issued = await startTask(alice, "issue_key", {});
    const issuedResult = await resultOf(alice, issued.task.taskId);
    expect(JSON.stringify(issuedResult)).not.toContain(SECRET);
    expect(issuedResult.structuredContent).toEqual({
      refId: issued.task.taskId,
      status: "completed",
      executeOnly: true,
    });
  });

  it("refuse a foreign reference without starting the work", async () => {
    const cache = makeCache();
    const alice = await connect(cache, "alice", true);
    const bob = await connect(cache, "bob", true);
    const { refId } = (await call(alice, "big_table", { rows: 100 })).structuredContent as { refId: string };
    const outcome = await startTask(bob, "sum_column", { table: { refId, path: "/rows" }, column: "score" }).then(
      (created) => resultOf(bob, created.task.taskId),
      (error: Error) => ({ isError: true, content: [{ type: "text", text: error.message }] }),
    );
    expect(outcome.isError).toBe(true);
    expect(JSON.stringify(outcome)).toMatch(/cannot be used/);
  });
});
