import { describe, expect, it } from "vitest";
import {
  createMemoryStores,
  IllegalTransitionError,
  MemoryStore,
  MemoryTaskStore,
  RefCache,
  RefCacheError,
  TaskAlreadyActiveError,
  type TaskContext,
  type TaskInfo,
} from "../src/index.js";
import type { StoredTask } from "../src/store-kit.js";
import { deferred, flush, ManualClock, useCaches } from "./helpers.js";
import { remoteLike } from "./remote-like-stores.js";

const makeCache = useCaches();

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

describe("listeners told of changes made while others are told", () => {
  /** The statuses a listener hears, with the progress each carried. */
  const heard = (cache: RefCache, into: string[]) =>
    cache.onTaskChange((info) => into.push(`${info.status}${info.progress?.current ?? ""}`));

  it("never hear an older state after a newer one when a listener writes at once", async () => {
    // A listener that cancels a task whose progress passes a budget, on the instance that wrote the
    // progress or on another one sharing the store; in process (writes done at once) and remote-like.
    for (const where of ["same instance", "other instance"] as const) {
      for (const remote of [false, true]) {
        const { store, taskStore: shared } = createMemoryStores();
        const taskStore = () => (remote ? remoteLike(shared, { subscribe: true }) : shared);
        const writer = makeCache({ store, taskStore: taskStore() }).cache;
        const other = makeCache({ store, taskStore: taskStore() }).cache;
        const third = makeCache({ store, taskStore: taskStore() }).cache;
        const canceller = where === "same instance" ? writer : other;
        const told = { writer: [] as string[], other: [] as string[], third: [] as string[] };
        canceller.onTaskChange((info) => {
          if (info.status === "processing" && (info.progress?.current ?? 0) >= 5) void canceller.cancelTask("job");
        });
        heard(writer, told.writer);
        heard(other, told.other);
        heard(third, told.third);
        // A subscriber of the store itself, told after the instances: the versions it hears only grow.
        const versions: number[] = [];
        shared.subscribe(({ task }) => versions.push(task.version));
        await writer.registerTask("job", {});
        await writer.updateTaskProgress("job", { current: 5 });
        await flush(50);
        expect((await writer.getTask("job"))?.status).toBe("cancelled");
        expect(versions.at(-1)).toBe(3);
        expect(versions).toEqual([...new Set(versions)].sort((x, y) => x - y));
        for (const [name, statuses] of Object.entries(told)) {
          const label = `${where}, ${remote ? "remote-like" : "in-process"} store: ${name} heard ${statuses}`;
          // Heard in the order the task went: the cancel last, nothing after it.
          expect(statuses.at(-1), label).toBe("cancelled5");
          const stages = statuses.map((s) => (s.startsWith("pending") ? 0 : s.startsWith("processing") ? 1 : 2));
          expect(stages, label).toEqual([...stages].sort());
        }
      }
    }
  });

  it("still hear a task's end when a store subscriber removes the finished task at once", async () => {
    // Removal is not a newer state: the subscribers after the one that cleaned up are told of the end too.
    const { store, taskStore } = createMemoryStores();
    const cache = makeCache({ store, taskStore }).cache;
    taskStore.subscribe(({ task }) => {
      if (task.status === "complete") void taskStore.removeFinished(0, 10);
    });
    const told: string[] = [];
    taskStore.subscribe(({ task }) => told.push(task.status));
    await cache.registerTask("job", {});
    await cache.completeTask("job", 1);
    expect(await taskStore.get("job")).toBeUndefined();
    expect(told).toEqual(["pending", "complete"]);
  });

  it("cost one store read per change, not one per listener, when no listener writes", async () => {
    // The store's clock is read whenever a task is read from it (its lease is judged on it).
    let reads = 0;
    const clock = {
      now: () => {
        reads++;
        return Date.now();
      },
    };
    const { store, taskStore } = createMemoryStores({ clock });
    const cache = makeCache({ store, taskStore }).cache;
    let told = 0;
    for (let i = 0; i < 50; i++) cache.onTaskChange(() => void told++);
    await cache.registerTask("job", {});
    const before = reads;
    await cache.updateTaskProgress("job", { current: 1 });
    expect(told).toBe(100);
    expect(reads - before).toBeLessThan(10);
  });

  it("never hear a run's end after a listener registered the id anew when told of it", async () => {
    // A listener that runs the id again once it is cancelled: the others hear the new run, never the old
    // run's end after it (an SSE stream or subscription would end on it as if the new run had).
    for (const remote of [false, true]) {
      const { store, taskStore: shared } = createMemoryStores();
      const cache = makeCache({ store, taskStore: remote ? remoteLike(shared) : shared }).cache;
      let again = true;
      cache.onTaskChange((info) => {
        if (info.status !== "cancelled" || !again) return;
        again = false;
        void cache.registerTask("job", deferred<number>().promise);
      });
      const told: string[] = [];
      cache.onTaskChange((info) => told.push(`${info.runId} ${info.status}`));
      const first = await cache.registerTask("job", deferred<number>().promise);
      await cache.cancelTask("job");
      await flush(50);
      const second = await cache.getTask("job");
      expect(second?.runId).not.toBe(first.runId);
      expect(told.at(-1), `${remote ? "remote-like" : "in-process"} store: heard ${told}`).toBe(
        `${second?.runId} processing`,
      );
    }
  });
});

describe("close, cancel and finishers racing running work", () => {
  it("registerTask racing close() never leaves a task running, and every close() waits for the first", async () => {
    for (let i = 0; i < 20; i++) {
      const cache = new RefCache({ clock: new ManualClock() });
      let signal: AbortSignal | undefined;
      const registration = cache.registerTask("job", (ctx: TaskContext) => {
        signal = ctx.signal;
        return new Promise(() => {});
      });
      const first = cache.close();
      const second = cache.close();
      expect(second).toBe(first);
      const outcome = await registration.then(
        () => "registered",
        (e: unknown) => (RefCacheError.isInstance(e, "CACHE_CLOSED") ? "refused" : e),
      );
      await first;
      expect(["registered", "refused"]).toContain(outcome);
      if (outcome === "registered") {
        expect(signal?.aborted).toBe(true);
        expect(cache.getTaskStatus("job")?.status).toBe("cancelled");
      }
    }
  });

  it("close() waits for store writes in flight before closing the store", async () => {
    const gate = deferred<void>();
    class SlowStore extends MemoryStore {
      closedWhileWriting = false;
      writing = 0;
      override async set(key: string, entry: Parameters<MemoryStore["set"]>[1]) {
        this.writing++;
        await gate.promise;
        await super.set(key, entry);
        this.writing--;
      }
      override async close() {
        if (this.writing > 0) this.closedWhileWriting = true;
      }
    }
    const store = new SlowStore();
    const cache = new RefCache({ store, clock: new ManualClock() });
    const write = cache.set("k", 1);
    await flush();
    const closing = cache.close();
    gate.resolve();
    await write;
    await closing;
    expect(store.closedWhileWriting).toBe(false);
  });

  it("an updater that never settles blocks neither cancel nor close; one that updates its own id does not deadlock", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", {});
    const stuck = cache.updateTaskProgress("job", () => new Promise<never>(() => {}));
    expect((await cache.cancelTask("job")).status).toBe("cancelled");
    void stuck;

    await cache.registerTask("nested", {});
    const nested = await cache.updateTaskProgress("nested", async (p) => {
      await cache.updateTaskProgress("nested", { message: "inner" });
      return { current: (p?.current ?? 0) + 1 };
    });
    expect(nested.progress).toMatchObject({ current: 1, message: "inner" });
    await cache.close(); // would hang behind the stuck updater before the fix
  });

  it("failTask, completeTask and close() abort work that is still running", async () => {
    const { cache } = makeCache();
    const signals: AbortSignal[] = [];
    const work = (ctx: TaskContext) => {
      signals.push(ctx.signal);
      return new Promise(() => {});
    };
    await cache.registerTask("a", work);
    await cache.registerTask("b", work);
    await cache.registerTask("c", work);
    await cache.failTask("a", "stop");
    await cache.completeTask("b", "done from outside");
    await cache.close();
    expect(signals.map((s) => s.aborted)).toEqual([true, true, true]);
  });
});
