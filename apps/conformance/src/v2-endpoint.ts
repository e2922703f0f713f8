/**
 * `/mcp`: the fixture tools on the SDK v2 line through `@mcp-refcache/mcp-server`, served by
 * `createMcpHandler` (2025-era clients statelessly, 2026-07-28 clients with the Tasks extension).
 */
import type { RefCache } from "@mcp-refcache/core";
import {
  type CachedToolContext,
  type TaskSubscriptionHandler,
  withRefCache,
  withTaskSubscriptions,
} from "@mcp-refcache/mcp-server";
import {
  createMcpHandler,
  type McpRequestContext,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
} from "@modelcontextprotocol/server";
import {
  DESCRIPTIONS,
  errorHandling,
  failingJob,
  GreetInput,
  greet,
  NoInput,
  SlowComputeInput,
  simpleText,
  sleep,
  slowCompute,
  TEXTS,
  toolWithLogging,
  toolWithProgress,
} from "./fixture-tools.js";

/** How long `slow_compute` and the jobs wait before they answer with a task (ms). */
export const TASK_TIMEOUT_MS = 200;

export function buildV2Server(cache: RefCache, request?: McpRequestContext): McpServer {
  const server = new McpServer(
    { name: "mcp-refcache-conformance-v2", version: "0.0.0" },
    { capabilities: { logging: {} } },
  );
  const tools = withRefCache(server, cache, { pollIntervalMs: 200, ...(request === undefined ? {} : { request }) });
  const d = DESCRIPTIONS;
  tools.registerTool("test_simple_text", { description: d.test_simple_text, inputSchema: NoInput }, simpleText);
  tools.registerTool(
    "test_error_handling",
    { description: d.test_error_handling, inputSchema: NoInput },
    errorHandling,
  );
  tools.registerTool(
    "test_tool_with_progress",
    { description: d.test_tool_with_progress, inputSchema: NoInput },
    toolWithProgress,
  );
  tools.registerTool(
    "test_tool_with_logging",
    { description: d.test_tool_with_logging, inputSchema: NoInput },
    // The handler's `ctx` is the call's request context: logging on it reaches the caller while the call is open.
    (_args: unknown, { ctx, signal }: CachedToolContext) =>
      toolWithLogging((message) => ctx.mcpReq.log("info", message), signal),
  );
  tools.registerTool("greet", { description: d.greet, inputSchema: GreetInput }, greet);
  tools.registerTool(
    "slow_compute",
    { description: d.slow_compute, inputSchema: SlowComputeInput, timeoutMs: TASK_TIMEOUT_MS },
    slowCompute,
  );
  tools.registerTool(
    "failing_job",
    { description: d.failing_job, inputSchema: NoInput, timeoutMs: TASK_TIMEOUT_MS, taskSupport: "required" },
    failingJob,
  );
  tools.registerTool(
    "protocol_error_job",
    { description: d.protocol_error_job, inputSchema: NoInput, timeoutMs: TASK_TIMEOUT_MS },
    async (_args: unknown, { signal }: CachedToolContext) => {
      await sleep(2 * TASK_TIMEOUT_MS, signal);
      throw new ProtocolError(ProtocolErrorCode.InternalError, TEXTS.protocolError);
    },
  );
  return server;
}

/** SDK v2's handler, wrapped so `subscriptions/listen` with task ids streams `notifications/tasks`. */
export function v2Handler(cache: RefCache): TaskSubscriptionHandler {
  return withTaskSubscriptions(
    createMcpHandler((request) => buildV2Server(cache, request)),
    cache,
    { pollIntervalMs: 200 },
  );
}
