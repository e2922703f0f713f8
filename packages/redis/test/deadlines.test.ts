/**
 * The one shared deadline timer (`deadlines.ts`): every call expires at its own deadline, never before
 * and not long after, a settled call never expires, and the timer holds the process open exactly while a
 * call is pending, as a `setTimeout` per call did. No Redis needed.
 */
import { describe, expect, it } from "vitest";
import { type Deadline, DeadlineQueue, monotonicNow } from "../src/deadlines.js";

const TIMEOUT_MS = 80;
/** Timers fire late on a loaded machine, never early: the upper bound only guards against hanging. */
const LATE_BOUND_MS = 1_000;

class Entry implements Deadline {
  deadline = 0;
  settled = false;
  next: Deadline | undefined = undefined;
  readonly started = monotonicNow();
  expiredAfter: number | undefined;
  readonly expired: Promise<number>;
  #onExpire: (after: number) => void = () => {};

  constructor(readonly queue: DeadlineQueue) {
    this.expired = new Promise((resolve) => {
      this.#onExpire = resolve;
    });
    queue.add(this);
  }

  expire(): void {
    expect(this.settled).toBe(false);
    this.settled = true;
    this.expiredAfter = monotonicNow() - this.started;
    this.queue.release(this);
    this.#onExpire(this.expiredAfter);
  }

  settle(): void {
    this.settled = true;
    this.queue.release(this);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Timers that keep the process alive (unref'd ones are not listed). */
const refedTimers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("deadline queue", () => {
  it("expires each call at its own deadline, oldest first", async () => {
    const queue = new DeadlineQueue(TIMEOUT_MS);
    const first = new Entry(queue);
    await sleep(TIMEOUT_MS / 2);
    const second = new Entry(queue);
    const third = new Entry(queue);
    const firstAfter = await first.expired;
    // Each one lasted its whole timeout from its own start: the later calls were not swept along with the
    // first (a sweep that fires late, on a loaded machine, may rightly take them at once).
    for (const after of [firstAfter, await second.expired, await third.expired]) {
      expect(after).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
      expect(after).toBeLessThan(TIMEOUT_MS + LATE_BOUND_MS);
    }
  });

  it("never expires a settled call, wherever it sits in the queue", async () => {
    const queue = new DeadlineQueue(TIMEOUT_MS);
    const pending = new Entry(queue);
    const settledInTheMiddle = new Entry(queue);
    const last = new Entry(queue);
    settledInTheMiddle.settle();
    const settledFirst = new Entry(queue);
    settledFirst.settle();
    await Promise.all([pending.expired, last.expired]);
    await sleep(TIMEOUT_MS);
    expect(settledInTheMiddle.expiredAfter).toBeUndefined();
    expect(settledFirst.expiredAfter).toBeUndefined();
  });

  it("keeps expiring calls after it went idle", async () => {
    const queue = new DeadlineQueue(TIMEOUT_MS);
    new Entry(queue).settle();
    // Idle past the armed timer (which then finds nothing), and idle before it fires: both must re-arm.
    await sleep(TIMEOUT_MS * 2);
    const afterIdle = await new Entry(queue).expired;
    expect(afterIdle).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
    new Entry(queue).settle();
    await sleep(TIMEOUT_MS / 2);
    expect(await new Entry(queue).expired).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
  });

  it("holds the process open while a call is pending, and only then", async () => {
    const queue = new DeadlineQueue(60_000);
    const before = refedTimers();
    const a = new Entry(queue);
    const b = new Entry(queue);
    expect(refedTimers()).toBe(before + 1);
    a.settle();
    expect(refedTimers()).toBe(before + 1);
    b.settle();
    expect(refedTimers()).toBe(before);
    const c = new Entry(queue);
    expect(refedTimers()).toBe(before + 1);
    c.settle();
    expect(refedTimers()).toBe(before);
    queue.stop();
    expect(refedTimers()).toBe(before);
  });
});
