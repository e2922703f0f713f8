/**
 * How big a value a client is handed at once: the server's budget (a RefCache option), a tool's override
 * (or none at all for a tool whose callers need whole answers) and a client's own `maxChars`, combined in
 * one place so every adapter applies the same rule.
 */
import * as z from "zod";
import { ValidationError } from "../errors.js";
import { parseOrThrow } from "../parse.js";
import { checkedMeasure, type Measure } from "./measure.js";

// Re-exported so declarations that spell out ValueBudgetSchema (cache-context.d.ts) name measure.js, not
// the package entry, which would make an import cycle among the emitted .d.ts files.
export type { Measure };

/** Smallest `maxChars` accepted: a preview of any value, with its markers, fits in it. */
export const MIN_MAX_CHARS = 64;
/** Default size of an answer handed to a client (characters of compact JSON). */
export const DEFAULT_MAX_CHARS = 20_000;
/** Default size up to which a client may ask for a whole value (characters of compact JSON). */
export const DEFAULT_MAX_FULL_CHARS = 40_000;
/** Largest `maxChars` or `maxFullChars` accepted. */
export const MAX_MAX_CHARS = 2 ** 31 - 1;
/** Default largest value stored: 64 MiB of JSON text (UTF-8). */
export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024 * 1024;

/** A budget size, in the unit `measure` counts (characters by default). */
export const MaxCharsSchema = z
  .number()
  .int()
  .min(MIN_MAX_CHARS, `must be at least ${MIN_MAX_CHARS}`)
  .max(MAX_MAX_CHARS, `must be at most ${MAX_MAX_CHARS}`);

/**
 * Refuses a budget that is not one (ValidationError, `VALIDATION_ERROR`): a whole number from 64 to 2³¹−1.
 * Below 64 a page may hold nothing, and its cursor would name the page it came from, for ever.
 */
export function assertMaxChars(maxChars: number, refId?: string): void {
  if (Number.isSafeInteger(maxChars) && maxChars >= MIN_MAX_CHARS && maxChars <= MAX_MAX_CHARS) return;
  parseOrThrow(MaxCharsSchema, maxChars, "maxChars", refId);
}

/**
 * A client's `maxChars` (a tool argument, a query parameter): a whole number from 64 up, any size; one past
 * the budget is capped at it (a client may ask for less, never more).
 */
export const AskedMaxCharsSchema = z.number().int().min(MIN_MAX_CHARS, `must be at least ${MIN_MAX_CHARS}`);

/** Digits of a `maxChars` given as text (a query parameter): at most 15, so it stays a safe integer. */
export const ASKED_MAX_CHARS_TEXT = /^[0-9]{1,15}$/;

export const ValueBudgetSchema = z.strictObject({
  /** Largest answer handed to a client: bigger values go out as a preview and pages (default 20,000). */
  maxChars: MaxCharsSchema.optional(),
  /** Largest whole value a client may ask for (`full`); default 40,000, or `maxChars` when larger. */
  maxFullChars: MaxCharsSchema.optional(),
  /**
   * Counts a compact JSON text in the budget's unit; default: its length in UTF-16 code units. E.g. tokens
   * with `gpt-tokenizer`: `(text) => encode(text).length`. The size guarantees are stated for the default.
   */
  measure: z
    .custom<Measure>((v) => typeof v === "function", "measure must be a function (jsonText) => number")
    .optional(),
  /**
   * What `measure` counts, as answers and tool descriptions name it: `"tokens"` says "a budget of 5000
   * tokens". Default `"characters"`, or `"units"` with a `measure`. Only with a `measure`.
   */
  unit: z.string().min(1).max(40).optional(),
});
/** A budget as given: by the server (`RefCacheOptions.valueBudget`) or by a tool's override. */
export type ValueBudget = z.input<typeof ValueBudgetSchema>;

/** A budget with every field decided. */
export interface ResolvedValueBudget {
  readonly maxChars: number;
  readonly maxFullChars: number;
  /** Absent: sizes are compact JSON characters. */
  readonly measure?: Measure;
  /** What `measure` counts (see `budgetUnit`). */
  readonly unit?: string;
}

/** The name of a budget's unit in answers: its `unit`, else `"characters"`, or `"units"` with a `measure`. */
export function budgetUnit(budget: ResolvedValueBudget): string {
  return budget.unit ?? (budget.measure === undefined ? "characters" : "units");
}

/**
 * A text every measure must count as more than nothing: a measure that does not cannot size anything. Some
 * 6,600 characters of JSON, so a coarse measure (kilobytes, say) counts it too; a tokenizer takes a millisecond.
 */
const PROBE_TEXT = `[${Array.from({ length: 512 }, (_, i) => `"probe ${String(i).padStart(4, "0")}"`).join(",")}]`;

/**
 * A budget's `measure` checked on every call (`checkedMeasure`), and `unit` only with one. Throws
 * ValidationError, naming `what`, for a `unit` without a `measure` and for a measure that does not count
 * `PROBE_TEXT` as a finite number > 0 (it would answer every value whole).
 */
function withMeasure(
  maxChars: number,
  maxFullChars: number,
  measure: Measure | undefined,
  unit: string | undefined,
  what: string,
): ResolvedValueBudget {
  if (measure === undefined) {
    if (unit !== undefined) {
      throw ValidationError.single(what, "unit names what a measure counts: give the measure with it", "custom");
    }
    return { maxChars, maxFullChars };
  }
  const checked = CHECKED.get(measure) ?? probedMeasure(measure, what);
  return unit === undefined
    ? { maxChars, maxFullChars, measure: checked }
    : { maxChars, maxFullChars, measure: checked, unit };
}

/** `measure` probed with `PROBE_TEXT` and wrapped by `checkedMeasure` (remembered in `CHECKED`). */
function probedMeasure(measure: Measure, what: string): Measure {
  let probed: unknown;
  try {
    probed = measure(PROBE_TEXT);
  } catch (error) {
    probed = error;
  }
  if (typeof probed !== "number" || !(probed > 0) || probed === Number.POSITIVE_INFINITY) {
    throw ValidationError.single(
      `${what}.measure`,
      `measure must count a JSON text as a finite number > 0; it counted ${PROBE_TEXT.length} characters of JSON as ${String(probed)}`,
      "custom",
    );
  }
  const checked = checkedMeasure(measure);
  // A measure is probed and wrapped once: a tool's budget that keeps the server's, or names its own again,
  // reuses the wrapped one (which maps to itself).
  CHECKED.set(measure, checked);
  CHECKED.set(checked, checked);
  return checked;
}

/** The checked measure of each measure probed, and of each checked measure itself. */
const CHECKED = new WeakMap<Measure, Measure>();

/** The server budget from `RefCacheOptions.valueBudget` (validated there), defaults filled in. */
export function serverValueBudget(budget: z.output<typeof ValueBudgetSchema> | undefined): ResolvedValueBudget {
  const maxChars = budget?.maxChars ?? DEFAULT_MAX_CHARS;
  const maxFullChars = budget?.maxFullChars ?? Math.max(DEFAULT_MAX_FULL_CHARS, maxChars);
  if (maxFullChars < maxChars) {
    throw ValidationError.single("valueBudget", "maxFullChars must be at least maxChars", "too_small");
  }
  return Object.freeze(withMeasure(maxChars, maxFullChars, budget?.measure, budget?.unit, "valueBudget"));
}

/**
 * The budget one answer gets: the server's (`cache.valueBudget`), with a tool's override merged over it,
 * then narrowed by a client's `maxChars`, which is capped at the budget (a client can ask for less, never
 * more). `false` as the tool's override turns the budget off for that tool: the answer goes out whole and
 * this returns `false`. Throws ValidationError for an override or a `callMaxChars` that is not valid
 * (`callMaxChars` must be a whole number ≥ 64).
 */
export function resolveValueBudget(
  server: ResolvedValueBudget,
  tool?: ValueBudget | false,
  callMaxChars?: number,
): ResolvedValueBudget | false {
  if (tool === false) return false;
  let budget = server;
  if (tool !== undefined) {
    const override = parseOrThrow(ValueBudgetSchema, tool, "tool valueBudget");
    const maxChars = override.maxChars ?? server.maxChars;
    const maxFullChars = override.maxFullChars ?? Math.max(server.maxFullChars, maxChars);
    // A tool's own measure comes with its own unit; else the server's unit stays with the server's measure.
    const measure = override.measure ?? server.measure;
    const unit = override.measure === undefined ? (override.unit ?? server.unit) : override.unit;
    budget = withMeasure(maxChars, maxFullChars, measure, unit, "tool valueBudget");
  }
  if (callMaxChars !== undefined) {
    const asked = parseOrThrow(AskedMaxCharsSchema, callMaxChars, "maxChars");
    if (asked < budget.maxChars) budget = { ...budget, maxChars: asked };
  }
  return budget === server ? server : Object.freeze(budget);
}
