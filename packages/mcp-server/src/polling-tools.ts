/**
 * `get_task_status`, `get_cached_result` and `cancel_task`: how a client that does not declare the Tasks
 * extension (any 2025-era client, or a 2026 client without it) follows a pending reference to its
 * result. Schemas, texts and answers come from core's MCP mapping, shared with the SDK v1 adapter; this
 * file only registers them and supplies the caller's owner.
 */
import type { RefCache } from "@mcp-refcache/core";
import {
  answerBudget,
  answerCachedResult,
  answerCancelTask,
  answerTaskStatus,
  type McpToolResult,
  type PollingCache,
  type PollingContext,
  pollingToolDefinitions,
} from "@mcp-refcache/core/mcp";
import type { CallToolResult, McpServer, ServerContext } from "@modelcontextprotocol/server";
import type { ResolvedServerOptions } from "./options.js";

type Answer = (cache: PollingCache, args: unknown, context: PollingContext) => Promise<McpToolResult>;

export function registerPollingTools(server: McpServer, cache: RefCache, options: ResolvedServerOptions): void {
  const { names } = options;
  const definitions = pollingToolDefinitions(names, {
    ttlMs: options.ttlMs === undefined ? cache.defaultTtlMs : options.ttlMs,
    budget: answerBudget(cache, options.valueBudget),
  });
  const tools: [keyof typeof definitions, Answer][] = [
    ["status", answerTaskStatus],
    ["result", answerCachedResult],
    ["cancel", answerCancelTask],
  ];
  for (const [kind, answer] of tools) {
    const { name, description, inputSchema } = definitions[kind];
    server.registerTool(
      name,
      { description, inputSchema },
      async (args: unknown, ctx: ServerContext): Promise<CallToolResult> => {
        const context = {
          names,
          pollIntervalMs: options.pollIntervalMs,
          owner: options.owner(ctx),
          valueBudget: options.valueBudget,
        };
        return { ...(await answer(cache, args, context)) };
      },
    );
  }
}
