/**
 * The `valueBudget` option of the MCP adapters, on the adapter (every tool and the polling tools) and on
 * one tool: sizes over the cache's budget, or `false` to answer whole values whatever their size (for a
 * tool whose callers rely on whole inline answers). The unit (`measure`) stays the cache's, so pages and
 * previews read later through the cache are sized the same way.
 */
import * as z from "zod";
import { sizeWithin } from "../values/measure.js";
import { MaxCharsSchema, type ResolvedValueBudget, resolveValueBudget } from "../values/value-budget.js";

export const McpValueBudgetSchema = z.union([
  z.literal(false),
  z.strictObject({
    /** Largest answer (characters of compact JSON): larger values go out as a preview and pages. */
    maxChars: MaxCharsSchema.optional(),
    /** Largest whole value `get_cached_result` returns for `full: true`. */
    maxFullChars: MaxCharsSchema.optional(),
  }),
]);
/** `{ maxChars?, maxFullChars? }` over the cache's `valueBudget`, or `false` for no budget. */
export type McpValueBudget = z.input<typeof McpValueBudgetSchema>;

/** The part of a RefCache that knows the server's budget. */
export interface ValueBudgetSource {
  readonly valueBudget: ResolvedValueBudget;
}

/**
 * The budget of one answer: the cache's, under the adapter's option, under the tool's (a tool's sizes
 * apply even where the adapter's option is `false`), narrowed by a client's `maxChars` (never widened).
 * `false` when the budget is off. Throws ValidationError for a `callMaxChars` below 64.
 */
export function answerBudget(
  cache: ValueBudgetSource,
  adapter: McpValueBudget | undefined,
  tool?: McpValueBudget | undefined,
  callMaxChars?: number | undefined,
): ResolvedValueBudget | false {
  let chosen: McpValueBudget | undefined = adapter;
  if (tool === false) chosen = false;
  else if (tool !== undefined) chosen = { ...(adapter === false ? {} : adapter), ...definedOf(tool) };
  return resolveValueBudget(cache.valueBudget, chosen, callMaxChars);
}

function definedOf(budget: Exclude<McpValueBudget, false>): Exclude<McpValueBudget, false> {
  return Object.fromEntries(Object.entries(budget).filter(([, v]) => v !== undefined));
}

/** Whether `value` measures at most `limit` in the budget's unit; stops counting once it knows. */
export function fitsWithin(value: unknown, limit: number, budget: ResolvedValueBudget): boolean {
  if (budget.measure === undefined) return sizeWithin(value, limit) <= limit;
  return budget.measure(JSON.stringify(value) ?? "null") <= limit;
}
