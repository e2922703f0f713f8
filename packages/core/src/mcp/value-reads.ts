/**
 * The value side of `get_cached_result`: the whole value when it fits (or `full` asked and it fits the
 * whole-read limit), else one page, with cursors and paths checked by core's paging (a bad one is a
 * ValidationError, which the polling tools answer as an `isError` result).
 */
import { storedFault } from "../codec.js";
import { ExecuteOnlyError, ValidationError } from "../errors.js";
import type { ClientEntry } from "../models.js";
import { pageValue, type ValuePage } from "../values/page.js";
import { budgetUnit } from "../values/value-budget.js";
import type { PageOptions } from "../values/value-schemas.js";
import type { McpToolResult } from "./result-shapes.js";
import type { GetCachedResultInput, PollingToolNames } from "./tool-inputs.js";
import { cachedResultToolResult } from "./tool-results.js";
import { pageToolResult } from "./value-answers.js";
import { answerBudget, fitsWithin, type McpValueBudget, type ValueBudgetSource } from "./value-budget-option.js";

/** The part of `RefCache` a value read uses; a RefCache satisfies it. */
export interface ValueReadCache extends ValueBudgetSource {
  /** The entry as a client may see it: an execute-only value without its value, never decoded. */
  getEntryForClient(key: string, options?: { owner?: string }): Promise<ClientEntry | undefined>;
  page(key: string, options?: PageOptions): Promise<ValuePage | undefined>;
}

export interface ValueReadContext {
  owner?: string | undefined;
  names?: PollingToolNames | undefined;
  /** The adapter's `valueBudget` option. */
  valueBudget?: McpValueBudget | undefined;
}

/**
 * What `get_cached_result` answers for a stored value, or `undefined` when none is stored (unknown,
 * expired, another owner's). Throws ValidationError for bad arguments, cursors or paths.
 */
export async function readCachedValue(
  cache: ValueReadCache,
  input: GetCachedResultInput,
  context: ValueReadContext,
): Promise<McpToolResult | undefined> {
  const { refId, cursor, path, maxChars, full } = input;
  if (full === true && (cursor !== undefined || path !== undefined)) {
    throw ValidationError.single("full", "full reads the whole value: leave out cursor and path", "invalid_value");
  }
  const owner = context.owner === undefined ? {} : { owner: context.owner };
  const budget = answerBudget(cache, context.valueBudget, undefined, maxChars);
  // Pages are sized by the answer budget, or by the cache's when the adapter turned the budget off.
  const pageBudget = budget === false ? answerBudget(cache, undefined, undefined, maxChars) : budget;
  if (pageBudget === false) throw new TypeError("a budget without override is never off");
  const wording = { names: context.names, maxChars };

  if (cursor !== undefined || path !== undefined) {
    const page = await cache.page(refId, {
      maxChars: pageBudget.maxChars,
      ...owner,
      ...(cursor === undefined ? {} : { cursor }),
      ...(path === undefined ? {} : { path }),
    });
    return page === undefined ? undefined : pageToolResult(page, wording);
  }

  const entry = await cache.getEntryForClient(refId, owner);
  if (entry === undefined) return undefined;
  // A client may pass an execute-only value by reference, never read it (pages refuse it in core).
  if (entry.executeOnly === true) throw new ExecuteOnlyError(refId);
  const { value } = entry;
  try {
    // With the budget off the value goes whole, unless the client asked for pages of a size.
    if (budget === false && (maxChars === undefined || full === true)) return cachedResultToolResult(refId, value);
    const sized = budget === false ? pageBudget : budget;
    const limit = full === true ? sized.maxFullChars : sized.maxChars;
    if (fitsWithin(value, limit, sized)) return cachedResultToolResult(refId, value);
    // The first page comes from the value just read: no second read of a large value.
    const page = pageValue(value, { refId, version: entry.version, maxChars: sized.maxChars, measure: sized.measure });
    const unit = budgetUnit(sized);
    const note =
      full === true
        ? `The whole value is larger than the ${sized.maxFullChars} ${unit} a whole read may return; here is its first page instead.`
        : `The value is larger than this answer's budget of ${sized.maxChars} ${unit}; here is its first page.`;
    return pageToolResult(page, { ...wording, note });
  } catch (error) {
    throw storedFault(error, () => value, refId);
  }
}
