/**
 * MCP (SDK v2) at `/mcp` with the harness's `slow_count` tool, over the request's RefCache. A tool whose
 * work outlives the call answers with a pending reference (or a native task); the work itself goes on
 * under the request's `waitUntil` until its result is stored.
 */
import type { RefCache } from "@mcp-refcache/core";
import { withRefCache } from "@mcp-refcache/mcp-server";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { SlowCountInput, slowCount } from "./slow-count.js";

/** How long a tool call waits for its work before it answers with a pending reference (ms). */
export const MCP_TIMEOUT_MS = 1_000;

export function mcpHandler(cache: RefCache, ctx: ExecutionContext): ReturnType<typeof createMcpHandler> {
  return createMcpHandler(() => {
    const server = new McpServer({ name: "mcp-refcache-cloudflare-example", version: "0.0.0" });
    const tools = withRefCache(server, cache, { timeoutMs: MCP_TIMEOUT_MS, pollIntervalMs: 500 });
    tools.registerTool(
      "slow_count",
      {
        description: "Counts to `to`, one number every `delayMs` ms, reporting progress. Returns { count }.",
        inputSchema: SlowCountInput,
      },
      (args, context) => {
        const work = slowCount(args, context);
        // A Worker drops work the response no longer waits for: keep it until its result is stored.
        ctx.waitUntil(
          work
            .catch(() => undefined)
            .then(() => cache.waitForTask(context.refId, { timeoutMs: 10_000 }))
            .catch(() => undefined),
        );
        return work;
      },
    );
    return server;
  });
}
