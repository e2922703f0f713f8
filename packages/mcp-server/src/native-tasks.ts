/**
 * The server side of the 2026-07-28 Tasks extension for SDK v2, which ships none: `tasks/get`,
 * `tasks/cancel` and `tasks/update`, answered from the cache so any instance sharing its stores serves
 * any task. Registered with explicit params schemas: on the 2026 era the SDK only routes `tasks/get`
 * and `tasks/cancel` to handlers registered that way.
 */
import { isTerminalStatus, type RefCache, type TaskInfo } from "@mcp-refcache/core";
import { answerBudget, type McpTaskTiming, toDetailedTaskV2 } from "@mcp-refcache/core/mcp";
import type { McpServer, ServerContext } from "@modelcontextprotocol/server";
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import * as z from "zod";
import { legacyTask, legacyTaskList, legacyTaskResult } from "./legacy-tasks.js";
import type { ResolvedServerOptions } from "./options.js";
import { taskNotFound, toProtocolError } from "./protocol-errors.js";
import { cancelUnfinished, type Owner, readTask, readValue } from "./task-access.js";
import { clientDeclaresTasks, isLegacyEra, missingTasksCapability } from "./tasks-extension.js";

/** Every `tasks/*` request names one task. Unknown fields (`inputResponses`, `_meta`) are dropped. */
const TaskIdParamsSchema = z.object({ taskId: z.string() });
/** `tasks/list` of spec 2025-11-25. */
const ListParamsSchema = z.object({ cursor: z.string().max(4096).optional() });

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
  /**
   * The caller's task: a 2025-era caller (it got a 2025-11-25 task, see legacy-tasks.ts) or one that
   * declared the extension on this very request.
   */
  const lookup = async (taskId: string, ctx: ServerContext): Promise<{ task: TaskInfo; owner: Owner }> => {
    if (!isLegacyEra(ctx) && !clientDeclaresTasks(ctx)) throw missingTasksCapability();
    const owner = options.owner(ctx);
    const task = await asProtocol(() => readTask(cache, taskId, owner));
    if (task === undefined) throw taskNotFound(taskId);
    return { task, owner };
  };

  server.server.setRequestHandler("tasks/get", { params: TaskIdParamsSchema }, async ({ taskId }, ctx) => {
    const { task, owner } = await lookup(taskId, ctx);
    if (isLegacyEra(ctx)) return legacyTask(task, timingOf(task));
    const stored = task.status === "complete" ? await asProtocol(() => readValue(cache, taskId, owner)) : undefined;
    // A value over the budget goes out as its reference and preview, to be paged with get_cached_result.
    const answer = {
      budget: answerBudget(cache, options.valueBudget),
      names: options.names,
      resourceTemplate: options.resources?.uriTemplate,
      executeOnly: stored?.executeOnly,
    };
    return { ...toDetailedTaskV2(task, timingOf(task), stored?.value, answer) };
  });

  server.server.setRequestHandler("tasks/cancel", { params: TaskIdParamsSchema }, async ({ taskId }, ctx) => {
    const { task, owner } = await lookup(taskId, ctx);
    if (isLegacyEra(ctx)) {
      // Spec 2025-11-25: a terminal task cannot be cancelled (-32602); the answer is the task.
      if (isTerminalStatus(task.status)) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Task ${taskId} has already finished`);
      }
      const after = await asProtocol(() => cancelUnfinished(cache, task, owner));
      return legacyTask(after, timingOf(after));
    }
    await asProtocol(() => cancelUnfinished(cache, task, owner));
    return {};
  });

  // tasks/result and tasks/list exist in spec 2025-11-25 only (the extension removed them).
  server.server.setRequestHandler("tasks/result", { params: TaskIdParamsSchema }, async ({ taskId }, ctx) => {
    if (!isLegacyEra(ctx)) throw new ProtocolError(ProtocolErrorCode.MethodNotFound, "Method not found: tasks/result");
    const { task, owner } = await lookup(taskId, ctx);
    const answer = {
      budget: answerBudget(cache, options.valueBudget),
      names: options.names,
      resourceTemplate: options.resources?.uriTemplate,
    };
    return asProtocol(() => legacyTaskResult(cache, task, owner, answer));
  });
  server.server.setRequestHandler("tasks/list", { params: ListParamsSchema }, async ({ cursor }, ctx) => {
    if (!isLegacyEra(ctx)) throw new ProtocolError(ProtocolErrorCode.MethodNotFound, "Method not found: tasks/list");
    return asProtocol(() => legacyTaskList(cache, options.owner(ctx), cursor, timingOf));
  });

  // Tools run through this adapter never ask for input, so no key is ever outstanding: the spec says to
  // ignore such responses and acknowledge.
  server.server.setRequestHandler("tasks/update", { params: TaskIdParamsSchema }, async ({ taskId }, ctx) => {
    await lookup(taskId, ctx);
    return {};
  });
}
