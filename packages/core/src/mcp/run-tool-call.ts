/**
 * Runs one tool call under core's timeout fallback and turns the outcome into the result the client
 * sees: the value inline when the work finished in time, else a pending reference to poll.
 */
import * as z from "zod";
import { OwnerSchema, type TaskInfo } from "../models.js";
import { parseOrThrow } from "../parse.js";
import type { RefCache } from "../ref-cache.js";
import type { TaskContext } from "../task-input.js";
import { runWithTimeoutFallback, type TimeoutFallbackOptions } from "../timeout-fallback.js";
import type { McpToolResult } from "./result-shapes.js";
import { toolErrorFromException } from "./tool-errors.js";
import { PollingToolNamesSchema } from "./tool-inputs.js";
import { pendingToolResult } from "./tool-results.js";
import { valueAnswer } from "./value-answers.js";
import { answerBudget, type McpValueBudget, McpValueBudgetSchema } from "./value-budget-option.js";

export const ToolCallOptionsSchema = z.strictObject({
  /** How long the client waits for the value before it gets a pending reference (ms). */
  timeoutMs: z.number().int().nonnegative(),
  /** Suggested time between polls, reported with the pending reference (ms). */
  pollIntervalMs: z.number().int().positive().default(1000),
  /** Time to live of the result (ms); `null` keeps it until deleted. Defaults to the cache's. */
  ttlMs: z.number().int().positive().nullable().optional(),
  /** Owner scope (MCP session or auth principal): only the same owner can poll, fetch or cancel. */
  owner: OwnerSchema.optional(),
  /** Ref id to run the work under; defaults to a new unguessable id. */
  refId: z.string().optional(),
  /** Names of the polling tools the pending text tells the model to call. */
  names: PollingToolNamesSchema,
  /**
   * Sizes over the cache's `valueBudget` for this call's answer (the adapter's option), or `false` to
   * answer the value whole whatever its size. A value over the budget goes out as its reference + preview.
   */
  valueBudget: McpValueBudgetSchema.optional(),
  /** The tool's own `valueBudget`, over the adapter's. */
  toolValueBudget: McpValueBudgetSchema.optional(),
  /**
   * Store the result execute-only: the answer is then its reference alone, never the value nor a preview
   * (clients may pass it to tools that accept a reference, never read it).
   */
  executeOnly: z.boolean().optional(),
  /** The reference resource template, when the adapter serves references as resources (`resource_link`). */
  resourceTemplate: z.string().optional(),
});
export type ToolCallOptions = z.input<typeof ToolCallOptionsSchema>;

/** What happened to the call, with the result to send and the ref id the work runs under. */
export type ToolCallOutcome =
  | { kind: "complete"; refId: string; value: unknown; result: McpToolResult }
  | { kind: "pending"; refId: string; task: TaskInfo; result: McpToolResult }
  | { kind: "error"; refId: string | undefined; error: unknown; result: McpToolResult };

/**
 * Runs `work` as a task of `cache` and waits up to `timeoutMs`. The work's own error, and any core
 * error (capacity, store down), becomes an `isError` result rather than a thrown protocol error.
 */
export async function runToolCall(
  cache: RefCache,
  work: (context: TaskContext) => unknown,
  options: ToolCallOptions,
): Promise<ToolCallOutcome> {
  const {
    timeoutMs,
    pollIntervalMs,
    ttlMs,
    owner,
    names,
    valueBudget,
    toolValueBudget,
    executeOnly,
    resourceTemplate,
  } = parseOrThrow(ToolCallOptionsSchema, options, "tool call options");
  const refId = options.refId ?? cache.newRefId();
  const fallbackOptions = {
    timeoutMs,
    refId,
    ...(ttlMs === undefined ? {} : { ttlMs }),
    ...(owner === undefined ? {} : { owner }),
    ...(executeOnly === true ? { executeOnly: true } : {}),
  } as TimeoutFallbackOptions;
  try {
    const outcome = await runWithTimeoutFallback(cache, work, fallbackOptions);
    if (outcome.status === "complete") {
      const result = valueAnswer(refId, outcome.value, {
        budget: answerBudget(cache, valueBudget as McpValueBudget | undefined, toolValueBudget as McpValueBudget),
        names,
        retention: { ttlMs: ttlMs === undefined ? cache.defaultTtlMs : ttlMs },
        executeOnly: executeOnly === true,
        resourceTemplate,
      });
      return { kind: "complete", refId, value: outcome.value, result };
    }
    return {
      kind: "pending",
      refId,
      task: outcome.task,
      result: pendingToolResult(outcome.task, { names, pollIntervalMs }),
    };
  } catch (error) {
    return { kind: "error", refId, error, result: toolErrorFromException(error, refId) };
  }
}
