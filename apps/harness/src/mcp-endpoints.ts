/**
 * The harness's MCP endpoints, built from the adapters exactly as a user would build theirs: `/mcp` on the
 * SDK v2 line (`createMcpHandler`: 2025- and 2026-era clients, the Tasks extension), `/mcp-v1` on SDK v1
 * (Streamable HTTP with sessions, native 2025-11-25 tasks).
 */
import type { RefCache } from "@mcp-refcache/core";
import { answerWithoutSession, refCacheServerOptions, withRefCache as withRefCacheV1 } from "@mcp-refcache/mcp";
import {
  type TaskSubscriptionHandler,
  withRefCache as withRefCacheV2,
  withTaskSubscriptions,
} from "@mcp-refcache/mcp-server";
import { McpServer as McpServerV1 } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createMcpHandler, type McpRequestContext, McpServer as McpServerV2 } from "@modelcontextprotocol/server";
import {
  FailMidwayInput,
  ForeverInput,
  failMidway,
  QuickInput,
  quick,
  SlowCountInput,
  slowCount,
  untilCancelled,
} from "./tools.js";

/** How long a tool call waits for its work before it answers with a task or a pending reference (ms). */
export const MCP_TIMEOUT_MS = 1_000;
const POLL_INTERVAL_MS = 500;

const SERVER_INFO = { name: "mcp-refcache-harness", version: "0.0.0" };

const DESCRIPTIONS = {
  quick: "Echoes a text at once.",
  slow_count: "Counts to `to`, one number every `delayMs` ms, reporting progress. Returns { count }.",
  fail_midway: "Works half its steps, then fails as an upstream service would.",
  run_until_cancelled: "Runs until cancelled, reporting a heartbeat.",
};

/** A v2 `McpServer` with the demo tools over the shared cache (one per request, or one for stdio). */
export function buildV2Server(cache: RefCache, request?: McpRequestContext): McpServerV2 {
  const server = new McpServerV2(SERVER_INFO);
  const tools = withRefCacheV2(server, cache, {
    timeoutMs: MCP_TIMEOUT_MS,
    pollIntervalMs: POLL_INTERVAL_MS,
    ...(request === undefined ? {} : { request }),
  });
  tools.registerTool("quick", { description: DESCRIPTIONS.quick, inputSchema: QuickInput }, (args) => quick(args));
  tools.registerTool("slow_count", { description: DESCRIPTIONS.slow_count, inputSchema: SlowCountInput }, slowCount);
  tools.registerTool(
    "fail_midway",
    { description: DESCRIPTIONS.fail_midway, inputSchema: FailMidwayInput },
    failMidway,
  );
  tools.registerTool(
    "run_until_cancelled",
    { description: DESCRIPTIONS.run_until_cancelled, inputSchema: ForeverInput },
    untilCancelled,
  );
  return server;
}

/**
 * The SDK v2 endpoint: `createMcpHandler` calls the factory per request (handing it the request, so a
 * session-less notifications/cancelled can reach its call); the cache is shared. Wrapped so
 * `subscriptions/listen` with task ids streams `notifications/tasks`.
 */
export function mcpV2Handler(cache: RefCache): TaskSubscriptionHandler {
  return withTaskSubscriptions(
    createMcpHandler((request) => buildV2Server(cache, request)),
    cache,
    { pollIntervalMs: POLL_INTERVAL_MS },
  );
}

/** The SDK v1 endpoint: a server and transport per MCP session, routed by the `mcp-session-id` header. */
export function mcpV1Endpoint(cache: RefCache): {
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
} {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const options = { timeoutMs: MCP_TIMEOUT_MS, pollIntervalMs: POLL_INTERVAL_MS };
  return {
    async fetch(request) {
      // Before a session: 405 for GET, a JSON-RPC error with the request's id for server/discover & co.
      const early = await answerWithoutSession(request);
      if (early !== undefined) return early;
      const sessionId = request.headers.get("mcp-session-id");
      if (sessionId !== null) {
        const transport = sessions.get(sessionId);
        if (transport === undefined) return Response.json({ error: "unknown MCP session" }, { status: 404 });
        return transport.handleRequest(request);
      }
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, transport);
        },
        onsessionclosed: (id) => {
          sessions.delete(id);
        },
      });
      const server = new McpServerV1(SERVER_INFO, refCacheServerOptions(cache, options));
      const tools = withRefCacheV1(server, cache, options);
      tools.registerTool("quick", { description: DESCRIPTIONS.quick, inputSchema: QuickInput.shape }, (args) =>
        quick(QuickInput.parse(args)),
      );
      tools.registerTool(
        "slow_count",
        { description: DESCRIPTIONS.slow_count, inputSchema: SlowCountInput.shape },
        (args, context) => slowCount(SlowCountInput.parse(args), context),
      );
      tools.registerTool(
        "fail_midway",
        { description: DESCRIPTIONS.fail_midway, inputSchema: FailMidwayInput.shape },
        (args, context) => failMidway(FailMidwayInput.parse(args), context),
      );
      tools.registerTool(
        "run_until_cancelled",
        { description: DESCRIPTIONS.run_until_cancelled, inputSchema: ForeverInput.shape },
        (args, context) => untilCancelled(ForeverInput.parse(args), context),
      );
      await server.connect(transport);
      return transport.handleRequest(request);
    },
    async close() {
      await Promise.allSettled([...sessions.values()].map((t) => t.close()));
      sessions.clear();
    },
  };
}
