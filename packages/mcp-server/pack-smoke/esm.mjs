/**
 * Smoke of the packed @mcp-refcache/mcp-server (run by scripts/pack-smoke.mjs in a scratch project): a real
 * SDK v2 server (served as the README serves it, by `serveStdio`, here over the SDK's InMemoryTransport)
 * and a v2 client; a fast tool answers inline, a slow one with a pending reference followed to its result.
 */
import assert from "node:assert/strict";
import { RefCache } from "@mcp-refcache/core";
import { withRefCache } from "@mcp-refcache/mcp-server";
import { Client } from "@modelcontextprotocol/client";
import { InMemoryTransport, McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import * as z from "zod";

const cache = new RefCache({ name: "smoke" });
let release;
const gate = new Promise((resolve) => {
  release = resolve;
});
const factory = () => {
  const server = new McpServer({ name: "smoke", version: "1.0.0" });
  const tools = withRefCache(server, cache, { timeoutMs: 5_000 });
  tools.registerTool("add", { inputSchema: z.object({ a: z.number(), b: z.number() }) }, async ({ a, b }) => ({
    sum: a + b,
  }));
  tools.registerTool(
    "report",
    { inputSchema: z.object({ quarter: z.string() }), timeoutMs: 1 },
    async ({ quarter }) => {
      await gate;
      return { quarter, revenue: 42 };
    },
  );
  return server;
};

const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
const served = serveStdio(factory, { transport: serverSide });
const client = new Client({ name: "smoke-client", version: "1.0.0" });
await client.connect(clientSide);
try {
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
  release();
  await client.close();
  await served.close();
  await cache.close();
}
console.log("mcp-server: SDK v2 client, inline answer, pending reference followed to its result");
