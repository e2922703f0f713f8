import { describe, expect, it } from "vitest";
import {
  IllegalTransitionError,
  MemoryTaskStore,
  RefCache,
  type StoredTask,
  TaskAlreadyActiveError,
  type TaskInfo,
} from "../src/index.js";
import { ManualClock } from "./helpers.js";

const N = 1000;

/** A pseudo-random but repeatable sequence, so failures can be replayed. */
function* jitter(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    yield x % 4;
  }
}

async function yieldTimes(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

describe("concurrent access to one id", () => {
  it(`${N} racing read-modify-write progress updates lose nothing`, async () => {
    const cache = new RefCache({ clock: new ManualClock() });
    await cache.registerTask("job", {});
    await cache.updateTaskProgress("job", { current: 0, total: N });
    const delays = jitter(7);
    await Promise.all(
      Array.from({ length: N }, () =>
        cache.updateTaskProgress("job", async (progress) => {
          const seen = progress?.current ?? 0;
          // Yield in the middle of the read-modify-write: without the per-id queue, other updates
          // would read the same value here and overwrite each other.
          await yieldTimes(delays.next().value as number);
          return { current: seen + 1 };
        }),
      ),
    );
    expect(cache.getTaskStatus("job")?.progress).toEqual({ current: N, total: N, percentage: 100 });
    await cache.close();
  });

  it(`${N} racing plain updates are applied once each, in call order`, async () => {
    const clock = new ManualClock();
    const cache = new RefCache({ clock });
    await cache.registerTask("job", {});
    const seen: TaskInfo[] = [];
    cache.onTaskChange((info) => seen.push(info));
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => {
        clock.advance(1);
        return cache.updateTaskProgress("job", { current: i + 1, total: N, message: `step ${i + 1}` });
      }),
    );
    expect(seen.map((s) => s.progress?.current)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(results.map((r) => r.progress?.current)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(cache.getTaskStatus("job")).toMatchObject({
      status: "processing",
      progress: { current: N, total: N, message: `step ${N}`, percentage: 100 },
    });
    await cache.close();
  });

  it("a write done at once and a write queued before it on the same id land in call order", async () => {
    // A memory task store (writes done at once) whose reads wait on a gate, so a queued write can be held
    // mid-turn while a later plain write comes in.
    class GatedReads extends MemoryTaskStore {
      gate: Promise<void> = Promise.resolve();
      override async get(refId: string): Promise<StoredTask | undefined> {
        await this.gate;
        return super.get(refId);
      }
    }
    const taskStore = new GatedReads();
    const cache = new RefCache({ store: taskStore.store, taskStore });
    await cache.registerTask("job", {});
    const seen: (string | undefined)[] = [];
    cache.onTaskChange((info) => seen.push(info.progress?.message));
    let open = (): void => {};
    taskStore.gate = new Promise((resolve) => {
      open = resolve;
    });
    // First call: its updater awaits, so the write queues, and its turn waits on the gated read.
    const first = cache.updateTaskProgress("job", async () => ({ message: "first" }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Second call: could be written at once, but must wait for the queued one.
    const second = cache.updateTaskProgress("job", { message: "second" });
    open();
    expect((await first).progress?.message).toBe("first");
    expect((await second).progress?.message).toBe("second");
    expect(seen).toEqual(["first", "second"]);
    expect(cache.getTaskStatus("job")?.progress?.message).toBe("second");
    await cache.close();
  });

  it("progress racing a completion: everything before it lands, everything after is refused, the end state is consistent", async () => {
    const cache = new RefCache({ clock: new ManualClock() });
    await cache.registerTask("job", {});
    const half = N / 2;
    const calls: Promise<TaskInfo>[] = [];
    for (let i = 1; i <= N; i++) {
      calls.push(cache.updateTaskProgress("job", { current: i, total: N }));
      if (i === half) calls.push(cache.completeTask("job", { answer: 42 }));
    }
    const outcomes = await Promise.allSettled(calls);
    const fulfilled = outcomes.filter((o) => o.status === "fulfilled");
    const rejected = outcomes.filter((o) => o.status === "rejected");
    expect(fulfilled).toHaveLength(half + 1);
    expect(rejected).toHaveLength(N - half);
    for (const r of rejected) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(IllegalTransitionError);
    const final = cache.getTaskStatus("job");
    expect(final).toMatchObject({ status: "complete", progress: { current: half, total: N } });
    expect(final?.completedAt).toBeDefined();
    expect(await cache.get("job")).toEqual({ answer: 42 });
    await cache.close();
  });

  it("racing finishers: the first caller wins, the others are refused, whatever the order", async () => {
    const cache = new RefCache({ clock: new ManualClock() });
    const finishers = {
      complete: (id: string) => cache.completeTask(id, { by: "complete" }),
      failed: (id: string) => cache.failTask(id, "lost"),
      cancelled: (id: string) => cache.cancelTask(id),
    } as const;
    const orders = [
      ["complete", "failed", "cancelled"],
      ["failed", "cancelled", "complete"],
      ["cancelled", "complete", "failed"],
    ] as const;
    for (const [round, order] of orders.entries()) {
      const id = `job-${round}`;
      await cache.registerTask(id, {});
      const outcomes = await Promise.allSettled(order.map((status) => finishers[status](id)));
      expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "rejected"]);
      for (const o of outcomes.slice(1)) {
        expect((o as PromiseRejectedResult).reason).toBeInstanceOf(IllegalTransitionError);
      }
      expect(cache.getTaskStatus(id)?.status).toBe(order[0]);
      expect(await cache.has(id)).toBe(order[0] === "complete");
    }
    await cache.close();
  });

  it(`${N} racing registrations of one id: exactly one wins`, async () => {
    const cache = new RefCache({ clock: new ManualClock() });
    const outcomes = await Promise.allSettled(Array.from({ length: N }, () => cache.registerTask("job", {})));
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes.filter((o) => o.status === "rejected")) {
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(TaskAlreadyActiveError);
    }
    expect(cache.listTasks()).toHaveLength(1);
    expect(cache.getTaskStatus("job")?.retryCount).toBe(0);
    await cache.close();
  });

  it("updates to different ids do not wait on each other", async () => {
    const cache = new RefCache({ clock: new ManualClock() });
    await cache.registerTask("slow", {});
    await cache.registerTask("fast", {});
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = cache.updateTaskProgress("slow", async () => {
      await gate;
      return { current: 1 };
    });
    const fast = await cache.updateTaskProgress("fast", { current: 5 });
    expect(fast.progress?.current).toBe(5);
    expect(cache.getTaskStatus("slow")?.status).toBe("pending");
    release();
    await slow;
    expect(cache.getTaskStatus("slow")?.progress?.current).toBe(1);
    await cache.close();
  });
});
