/**
 * Budgets in a caller's unit (tokens, say) rather than characters: previews and pages are built for a
 * character budget, then measured with the caller's `measure`, and the character budget is scaled until
 * the result fits as well as a few tries find.
 */
import type { Measure } from "./measure.js";
import { MIN_MAX_CHARS } from "./value-budget.js";

/** Builds at most this many candidates. */
const MAX_TRIES = 6;

/**
 * The largest result of `build(charBudget)` found whose `measure` is at most `maxSize`, with that measure.
 * `whole` says a result holds everything (a larger budget cannot improve it). Should no try fit (a
 * measure that counts more than characters do even for the smallest build), the smallest is returned.
 */
export function fitToMeasure<R>(
  maxSize: number,
  measure: Measure,
  build: (charBudget: number) => R,
  textOf: (result: R) => string,
  whole: (result: R) => boolean,
): { result: R; size: number } {
  let charBudget = maxSize;
  let best: { result: R; size: number } | undefined;
  let last: { result: R; size: number } | undefined;
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const result = build(charBudget);
    const size = measure(textOf(result));
    last = { result, size };
    if (!(size >= 0)) throw new TypeError("measure must return a number ≥ 0");
    if (size <= maxSize) {
      best = last;
      if (whole(result)) break;
      const larger = Math.floor((charBudget * maxSize) / Math.max(size, 1));
      if (larger <= charBudget * 1.05 || tries > 0) break; // one step up from the first fit
      charBudget = larger;
    } else {
      if (best !== undefined || charBudget <= MIN_MAX_CHARS) break;
      charBudget = Math.max(MIN_MAX_CHARS, Math.floor(((charBudget * maxSize) / size) * 0.95));
    }
  }
  return best ?? (last as { result: R; size: number });
}
