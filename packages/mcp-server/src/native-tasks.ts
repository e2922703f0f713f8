/**
 * The server side of the 2026-07-28 Tasks extension for SDK v2, which ships none: `tasks/get`,
 * `tasks/cancel` and `tasks/update`, answered from the cache so any instance sharing its stores serves
 * any task. Registered with explicit params schemas: on the 2026 era the SDK only routes `tasks/get`
 * and `tasks/cancel` to handlers registered that way.
 */
import type { RefCache, TaskInfo } from "@mcp-refcache/core";
import { answerBudget, type McpTaskTiming, toDetailedTaskV2 } from "@mcp-refcache/core/mcp";
import type { McpServer, ServerContext } from "@modelcontextprotocol/server";
import * as z from "zod";
import type { ResolvedServerOptions } from "./options.js";
import { taskNotFound, toProtocolError } from "./protocol-errors.js";
import { cancelUnfinished, type Owner, readTask, readValue } from "./task-access.js";
import { clientDeclaresTasks, missingTasksCapability } from "./tasks-extension.js";

/** Every `tasks/*` request names one task. Unknown fields (`inputResponses`, `_meta`) are dropped. */
const TaskIdParamsSchema = z.object({ taskId: z.string() });

/** Runs `body`, turning anything core throws into a JSON-RPC error from the one table. */
async function asProtocol<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toProtocolError(error);
  }
}

export function registerNativeTaskHandlers(
  server: McpServer,
  cache: RefCache,
  options: ResolvedServerOptions,
  timingOf: (task: TaskInfo) => McpTaskTiming,
): void {
  /** The caller's task, after checking the caller declared the extension on this very request. */
  const lookup = async (taskId: string, ctx: ServerContext): Promise<{ task: TaskInfo; owner: Owner }> => {
    if (!clientDeclaresTasks(ctx)) throw missingTasksCapability();
    const owner = options.owner(ctx);
    const task = await asProtocol(() => readTask(cache, taskId, owner));
    if (task === undefined) throw taskNotFound(taskId);
    return { task, owner };
  };

  server.server.setRequestHandler("tasks/get", { params: TaskIdParamsSchema }, async ({ taskId }, ctx) => {
    const { task, owner } = await lookup(taskId, ctx);
    const value = task.status === "complete" ? await asProtocol(() => readValue(cache, taskId, owner)) : undefined;
    // A value over the budget goes out as its reference and preview, to be paged with get_cached_result.
    const answer = { budget: answerBudget(cache, options.valueBudget), names: options.names };
    return { ...toDetailedTaskV2(task, timingOf(task), value, answer) };
  });

  server.server.setRequestHandler("tasks/cancel", { params: TaskIdParamsSchema }, async ({ taskId }, ctx) => {
    const { task, owner } = await lookup(taskId, ctx);
    await asProtocol(() => cancelUnfinished(cache, task, owner));
    return {};
  });

  // Tools run through this adapter never ask for input, so no key is ever outstanding: the spec says to
  // ignore such responses and acknowledge.
  server.server.setRequestHandler("tasks/update", { params: TaskIdParamsSchema }, async ({ taskId }, ctx) => {
    await lookup(taskId, ctx);
    return {};
  });
}
