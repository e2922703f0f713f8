/** Source of the current time, in epoch milliseconds. Inject one in tests to control TTLs and ages. */
import * as z from "zod";
import { hasMethods } from "./parse.js";

export interface Clock {
  now(): number;
}

export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A `clock` option: any object with a `now()` method. */
export const ClockSchema = z.custom<Clock>(
  (v) => hasMethods(v, ["now"]),
  "clock must be an object with a now() method",
);

/**
 * `clock.now()`, checked: whole epoch milliseconds (a safe integer ≥ 0). A clock that throws is the error
 * `failed` makes of what it threw; one that answers anything else, the error `invalid` makes of it.
 */
export function checkedNow(clock: Clock, failed: (error: unknown) => Error, invalid: (time: unknown) => Error): number {
  let time: unknown;
  try {
    time = clock.now();
  } catch (error) {
    throw failed(error);
  }
  if (typeof time !== "number" || !Number.isSafeInteger(time) || time < 0) throw invalid(time);
  return time;
}
