/** Source of the current time, in epoch milliseconds. Inject one in tests to control TTLs and ages. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
