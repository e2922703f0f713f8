/**
 * Budgets in a caller's unit (tokens, say) rather than characters: previews and pages are built for a
 * character budget, then measured with the caller's `measure`, and the character budget is scaled until
 * the result fits as well as a few tries find.
 */
import { ValidationError } from "../errors.js";
import type { Measure } from "./measure.js";
import { MIN_MAX_CHARS } from "./value-budget.js";

/** Builds at most this many candidates. */
const MAX_TRIES = 6;

/**
 * The largest result of `build(charBudget)` found whose `measure` is at most `maxSize`, with that measure.
 * `whole` says a result holds everything (a larger budget cannot improve it). The character budget is
 * scaled by how far each try's measure was from `maxSize`, within the bounds the tries so far set. Should
 * no try fit (a measure that counts more than characters do even for the smallest build), the smallest
 * build is returned.
 */
export function fitToMeasure<R>(
  maxSize: number,
  measure: Measure,
  build: (charBudget: number) => R,
  textOf: (result: R) => string,
  whole: (result: R) => boolean,
): { result: R; size: number } {
  let charBudget = maxSize;
  let fits = 0; // the largest character budget known to fit
  let overflows = Number.POSITIVE_INFINITY; // the smallest known not to
  let best: { result: R; size: number } | undefined;
  let last: { result: R; size: number } | undefined;
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const result = build(charBudget);
    const size = measure(textOf(result));
    if (typeof size !== "number" || !(size >= 0)) {
      // A user's measure broke its contract: a typed error naming the option, not a raw TypeError.
      throw ValidationError.single(
        "valueBudget.measure",
        `measure must return a number ≥ 0, got ${String(size)}`,
        "custom",
      );
    }
    last = { result, size };
    if (size <= maxSize) {
      best = last;
      fits = charBudget;
      if (whole(result)) break;
    } else {
      overflows = charBudget;
      if (charBudget <= MIN_MAX_CHARS) break;
    }
    let next = Math.floor((charBudget * maxSize * (size <= maxSize ? 1 : 0.95)) / Math.max(size, 1));
    if (next >= overflows) next = Math.floor((fits + overflows) / 2);
    if (next <= fits) next = overflows === Number.POSITIVE_INFINITY ? fits * 2 : Math.floor((fits + overflows) / 2);
    next = Math.max(MIN_MAX_CHARS, next);
    // Close enough: within 2% of a budget known to fit.
    if (next <= fits * 1.02 || next === charBudget) break;
    charBudget = next;
  }
  return best ?? (last as { result: R; size: number });
}
