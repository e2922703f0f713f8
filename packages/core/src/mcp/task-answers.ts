/**
 * What a finished task answers as a tool result (`tasks/result` on both SDK lines): one function, so both
 * MCP adapters apply the same rules to a task's value, its expiry and its execute-only flag.
 */
import { storedFault } from "../codec.js";
import type { ClientEntry, TaskInfo } from "../models.js";
import type { McpToolResult } from "./result-shapes.js";
import { toolErrorResult } from "./tool-errors.js";
import { type ValueAnswerOptions, valueAnswer } from "./value-answers.js";

/** The part of `RefCache` a finished task's answer reads; a RefCache satisfies it. */
export interface TaskAnswerCache {
  /** The entry as a client may see it: an execute-only value without its value, never decoded. */
  getEntryForClient(key: string, options?: { owner?: string }): Promise<ClientEntry | undefined>;
}

/**
 * The tool result of a finished task, read for `owner`:
 * - `complete`: its value as `valueAnswer` gives it within `answer`'s budget. It is execute-only (its
 *   reference alone) when the task's `resultExecuteOnly` or the stored entry's flag says so: server code may
 *   store an execute-only value under a finished task's ref id, which every other read path then refuses.
 *   Once the value expired (or this owner may not read it), the `result_expired` error result.
 * - `failed` / `cancelled`: the `failed` / `cancelled` error result with the task's reason.
 * - Not finished: `undefined` (each adapter answers that in its protocol's way).
 */
export async function finishedTaskToolResult(
  cache: TaskAnswerCache,
  task: TaskInfo,
  owner: string | undefined,
  answer: Omit<ValueAnswerOptions, "executeOnly">,
): Promise<McpToolResult | undefined> {
  switch (task.status) {
    case "complete": {
      const entry = await cache.getEntryForClient(task.refId, owner === undefined ? {} : { owner });
      if (entry === undefined) return toolErrorResult("result_expired", task.refId);
      const executeOnly = task.resultExecuteOnly === true || entry.executeOnly === true;
      try {
        return valueAnswer(task.refId, entry.value, { ...answer, executeOnly });
      } catch (error) {
        throw storedFault(error, () => entry.value, task.refId);
      }
    }
    case "failed":
      return toolErrorResult("failed", task.refId, task.error ?? "no reason given");
    case "cancelled":
      return toolErrorResult("cancelled", task.refId, task.error ?? "");
    default:
      return undefined;
  }
}
