/**
 * `get_task_status`, `get_cached_result` and `cancel_task`: how a client that does not declare the Tasks
 * extension (any 2025-era client, or a 2026 client without it) follows a pending reference to its
 * result. Schemas, texts and results come from core's MCP mapping, shared with the SDK v1 adapter.
 */
import type { RefCache, TaskInfo } from "@mcp-refcache/core";
import {
  cancelledToolResult,
  type McpToolResult,
  type PollingToolNames,
  pollingToolDefinitions,
  taskOutcomeToolResult,
  taskStatusToolResult,
  toolErrorFromException,
  toolErrorResult,
} from "@mcp-refcache/core/mcp";
import type { CallToolResult, McpServer, ServerContext } from "@modelcontextprotocol/server";
import type { ResolvedServerOptions } from "./options.js";
import { cancelUnfinished, type Owner, readTask, readValue } from "./task-access.js";

type TaskAnswer = (task: TaskInfo, owner: Owner) => Promise<McpToolResult>;

export function registerPollingTools(
  server: McpServer,
  cache: RefCache,
  options: ResolvedServerOptions,
  names: PollingToolNames,
): void {
  const definitions = pollingToolDefinitions(names);
  const nextStep = { names, pollIntervalMs: options.pollIntervalMs };

  /** A polling tool's callback: looks the ref up for this caller, then `answer`s, or reports why not. */
  const withTask =
    (answer: TaskAnswer) =>
    async ({ refId }: { refId: string }, ctx: ServerContext): Promise<CallToolResult> => {
      try {
        const owner = options.owner(ctx);
        const task = await readTask(cache, refId, owner);
        return { ...(task === undefined ? toolErrorResult("not_found", refId) : await answer(task, owner)) };
      } catch (error) {
        return { ...toolErrorFromException(error, refId) };
      }
    };

  server.registerTool(
    definitions.status.name,
    { description: definitions.status.description, inputSchema: definitions.status.inputSchema },
    withTask(async (task) => taskStatusToolResult(task, nextStep)),
  );

  server.registerTool(
    definitions.result.name,
    { description: definitions.result.description, inputSchema: definitions.result.inputSchema },
    withTask(async (task, owner) => {
      const value = task.status === "complete" ? await readValue(cache, task.refId, owner) : undefined;
      return taskOutcomeToolResult(task, value, nextStep);
    }),
  );

  server.registerTool(
    definitions.cancel.name,
    { description: definitions.cancel.description, inputSchema: definitions.cancel.inputSchema },
    withTask(async (task, owner) => {
      if (task.status !== "pending" && task.status !== "processing") {
        return toolErrorResult("already_finished", task.refId, task.status);
      }
      const after = await cancelUnfinished(cache, task, owner);
      return after.status === "cancelled"
        ? cancelledToolResult(after)
        : toolErrorResult("already_finished", after.refId, after.status);
    }),
  );
}
