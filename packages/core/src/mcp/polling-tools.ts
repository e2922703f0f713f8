/**
 * What the polling tools answer — `get_task_status`, `get_cached_result`, `cancel_task` — written once
 * over the cache so every MCP adapter only parses its SDK's context and forwards. Never throws: every
 * failure is an `isError` result the model can read.
 */

import { isTerminalStatus, type TaskInfo } from "../models.js";
import { parseOrThrow } from "../parse.js";
import type { McpToolResult } from "./result-shapes.js";
import { toMcpTaskStatus } from "./status.js";
import { toolErrorFromException, toolErrorResult } from "./tool-errors.js";
import {
  CancelTaskInputSchema,
  type GetCachedResultInput,
  GetCachedResultInputSchema,
  GetTaskStatusInputSchema,
} from "./tool-inputs.js";
import {
  cancelledToolResult,
  type NextStepOptions,
  storedValueStatusToolResult,
  taskOutcomeToolResult,
  taskStatusToolResult,
} from "./tool-results.js";
import type { McpValueBudget } from "./value-budget-option.js";
import { readCachedValue, type ValueReadCache } from "./value-reads.js";

interface OwnerOption {
  owner?: string;
}

/** The part of `RefCache` the polling tools use; a RefCache satisfies it. */
export interface PollingCache extends ValueReadCache {
  getTask(refId: string, options?: OwnerOption): Promise<TaskInfo | undefined>;
  /** The entry's bookkeeping without its value: a status poll never reads a large value whole. */
  getEntryInfo(key: string, options?: OwnerOption): Promise<unknown>;
  cancelTask(refId: string, reason?: unknown, options?: OwnerOption): Promise<TaskInfo>;
}

/** Who asks (owner scope) and how the answers talk about the next step. */
export interface PollingContext extends NextStepOptions {
  /** Owner scope of the caller; refs of another owner read as unknown. */
  owner?: string | undefined;
  /** The adapter's `valueBudget` option: how large a value `get_cached_result` answers whole. */
  valueBudget?: McpValueBudget | undefined;
}

const scope = (context: PollingContext): OwnerOption => (context.owner === undefined ? {} : { owner: context.owner });

async function answer(refIdOf: () => string, run: (refId: string) => Promise<McpToolResult>): Promise<McpToolResult> {
  let refId: string | undefined;
  try {
    refId = refIdOf();
    return await run(refId);
  } catch (error) {
    return toolErrorFromException(error, refId, "internal");
  }
}

/** `get_task_status({ refId })`: the task's status, progress and error, and what to call next. */
export function answerTaskStatus(cache: PollingCache, args: unknown, context: PollingContext): Promise<McpToolResult> {
  return answer(
    () => parseOrThrow(GetTaskStatusInputSchema, args, `${context.names?.status ?? "get_task_status"} arguments`).refId,
    async (refId) => {
      const task = await cache.getTask(refId, scope(context));
      if (task !== undefined) return taskStatusToolResult(task, context);
      // The task record may be cleaned up while its value lives on: a stored value reads as completed.
      const info = await cache.getEntryInfo(refId, scope(context));
      return info === undefined ? toolErrorResult("not_found", refId) : storedValueStatusToolResult(refId, context);
    },
  );
}

/**
 * `get_cached_result({ refId, cursor?, path?, maxChars?, full? })`: once complete, the value when it fits
 * the budget, else one page of it; "not ready" while working; isError when it failed, was cancelled or
 * expired, and for a bad cursor or path.
 */
export function answerCachedResult(
  cache: PollingCache,
  args: unknown,
  context: PollingContext,
): Promise<McpToolResult> {
  let input: GetCachedResultInput;
  return answer(
    () => {
      input = parseOrThrow(
        GetCachedResultInputSchema,
        args,
        `${context.names?.result ?? "get_cached_result"} arguments`,
      );
      return input.refId;
    },
    async (refId) => {
      const task = await cache.getTask(refId, scope(context));
      if (task !== undefined && (task.status !== "complete" || task.resultExpired === true)) {
        return taskOutcomeToolResult(task, undefined, context);
      }
      const read = await readCachedValue(cache, input, context);
      if (read !== undefined) return read;
      return toolErrorResult(task === undefined ? "not_found" : "result_expired", refId);
    },
  );
}

/** `cancel_task({ refId })`: cancels running work (its signal aborts); finished work is an isError result. */
export function answerCancelTask(cache: PollingCache, args: unknown, context: PollingContext): Promise<McpToolResult> {
  return answer(
    () => parseOrThrow(CancelTaskInputSchema, args, `${context.names?.cancel ?? "cancel_task"} arguments`).refId,
    async (refId) => {
      const task = await cache.getTask(refId, scope(context));
      if (task === undefined) return toolErrorResult("not_found", refId);
      if (isTerminalStatus(task.status)) {
        return toolErrorResult("already_finished", refId, toMcpTaskStatus(task.status));
      }
      return cancelledToolResult(await cache.cancelTask(refId, "cancelled by the client", scope(context)));
    },
  );
}
