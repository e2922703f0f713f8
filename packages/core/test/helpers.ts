import { afterEach, beforeEach } from "vitest";
import { type Clock, RefCache, type RefCacheOptions } from "../src/index.js";
import { type Deferred, deferred } from "../src/testing/deferred.js";

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export { type Deferred, deferred };

/** Lets queued promise callbacks (and the per-id queues behind them) run. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** Waits until `check` holds, yielding to the event loop between tries (real timers only). */
export async function until(check: () => boolean, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error("condition never held");
}

/**
 * Returns a factory of caches named "test" on a ManualClock; every cache it made is closed after each
 * test of the calling file.
 */
export function useCaches(): (options?: RefCacheOptions) => { cache: RefCache; clock: ManualClock } {
  const made: RefCache[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((c) => c.close()));
  });
  return (options = {}) => {
    const clock = new ManualClock();
    const cache = new RefCache({ name: "test", clock, ...options });
    made.push(cache);
    return { cache, clock };
  };
}

/**
 * The unhandled rejections seen while each test of the calling file runs (vitest would otherwise report
 * them after the fact, against no test). Call at the top of a test file.
 */
export function trackUnhandledRejections(): unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
  });
  return unhandled;
}

/** Lets timers and rejections that are already due run. */
export const settleEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));
