/**
 * Smoke of the packed @mcp-refcache/mcp (run by scripts/pack-smoke.mjs in a scratch project): a real SDK v1
 * server and client over the SDK's InMemoryTransport; a fast tool answers inline, a slow one with a
 * pending reference that the client follows with the polling tools to its result.
 */
import assert from "node:assert/strict";
import { RefCache } from "@mcp-refcache/core";
import { refCacheServerOptions, withRefCache } from "@mcp-refcache/mcp";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

const cache = new RefCache({ name: "smoke" });
const server = new McpServer({ name: "smoke", version: "1.0.0" }, refCacheServerOptions(cache));
const tools = withRefCache(server, cache, { timeoutMs: 5_000 });
let release;
const gate = new Promise((resolve) => {
  release = resolve;
});
tools.registerTool("add", { inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({ sum: a + b }));
tools.registerTool("report", { inputSchema: { quarter: z.string() }, timeoutMs: 1 }, async ({ quarter }) => {
  await gate;
  return { quarter, revenue: 42 };
});

const client = new Client({ name: "smoke-client", version: "1.0.0" });
const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
await server.connect(serverSide);
await client.connect(clientSide);
try {
  const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
  assert.deepEqual(names, ["add", "cancel_task", "get_cached_result", "get_task_status", "report"]);

  const fast = await client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
  assert.deepEqual(fast.structuredContent, { sum: 5 });

  const pending = await client.callTool({ name: "report", arguments: { quarter: "Q3" } });
  const refId = pending.structuredContent?.refId;
  assert.equal(typeof refId, "string", JSON.stringify(pending));
  const status = await client.callTool({ name: "get_task_status", arguments: { refId } });
  assert.equal(status.structuredContent?.refId, refId, JSON.stringify(status));

  release();
  await cache.waitForTask(refId, { timeoutMs: 10_000 });
  const result = await client.callTool({ name: "get_cached_result", arguments: { refId } });
  assert.notEqual(result.isError, true, JSON.stringify(result));
  assert.match(JSON.stringify(result.structuredContent), /"quarter":"Q3","revenue":42/);
} finally {
  await client.close();
  await server.close();
  await cache.close();
}
console.log("mcp: SDK v1 client, inline answer, pending reference followed to its result");
