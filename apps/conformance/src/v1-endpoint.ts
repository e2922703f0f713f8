/**
 * `/mcp-v1`: the fixture tools on the SDK v1 line through `@mcp-refcache/mcp` (spec 2025-11-25), one
 * server and Streamable HTTP transport per MCP session, routed by the `mcp-session-id` header.
 */
import type { RefCache } from "@mcp-refcache/core";
import { answerWithoutSession, refCacheServerOptions, withRefCache } from "@mcp-refcache/mcp";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import {
  DESCRIPTIONS,
  errorHandling,
  failingJob,
  GreetInput,
  greet,
  SlowComputeInput,
  simpleText,
  sleep,
  slowCompute,
  TEXTS,
  toolWithLogging,
  toolWithProgress,
} from "./fixture-tools.js";
import { TASK_TIMEOUT_MS } from "./v2-endpoint.js";

function buildV1Server(cache: RefCache): McpServer {
  const options = { pollIntervalMs: 200 };
  const server = new McpServer(
    { name: "mcp-refcache-conformance-v1", version: "0.0.0" },
    refCacheServerOptions(cache, options, { capabilities: { logging: {} } }),
  );
  const tools = withRefCache(server, cache, options);
  const d = DESCRIPTIONS;
  tools.registerTool("test_simple_text", { description: d.test_simple_text }, simpleText);
  tools.registerTool("test_error_handling", { description: d.test_error_handling }, errorHandling);
  tools.registerTool("test_tool_with_progress", { description: d.test_tool_with_progress }, (_args, context) =>
    toolWithProgress(undefined, context),
  );
  tools.registerTool("test_tool_with_logging", { description: d.test_tool_with_logging }, (_args, { extra, signal }) =>
    toolWithLogging(
      (message) =>
        extra.sendNotification({ method: "notifications/message", params: { level: "info", data: message } }),
      signal,
    ),
  );
  tools.registerTool("greet", { description: d.greet, inputSchema: GreetInput.shape }, (args) =>
    greet(GreetInput.parse(args)),
  );
  tools.registerTool(
    "slow_compute",
    { description: d.slow_compute, inputSchema: SlowComputeInput.shape, timeoutMs: TASK_TIMEOUT_MS },
    (args, context) => slowCompute(SlowComputeInput.parse(args), context),
  );
  tools.registerTool("failing_job", { description: d.failing_job, timeoutMs: TASK_TIMEOUT_MS }, (_args, context) =>
    failingJob(undefined, context),
  );
  tools.registerTool(
    "protocol_error_job",
    { description: d.protocol_error_job, timeoutMs: TASK_TIMEOUT_MS },
    async (_args, { signal }) => {
      await sleep(2 * TASK_TIMEOUT_MS, signal);
      throw new McpError(ErrorCode.InternalError, TEXTS.protocolError);
    },
  );
  return server;
}

export interface V1Endpoint {
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
}

export function v1Endpoint(cache: RefCache): V1Endpoint {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  return {
    async fetch(request) {
      // Before a session: 405 for GET, a JSON-RPC error with the request's id for server/discover & co.
      const early = await answerWithoutSession(request);
      if (early !== undefined) return early;
      const sessionId = request.headers.get("mcp-session-id");
      if (sessionId !== null) {
        const transport = sessions.get(sessionId);
        if (transport === undefined) {
          return Response.json(
            { jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null },
            { status: 404 },
          );
        }
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
      await buildV1Server(cache).connect(transport);
      return transport.handleRequest(request);
    },
    async close() {
      await Promise.allSettled([...sessions.values()].map((t) => t.close()));
      sessions.clear();
    },
  };
}
