import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryStores, MemoryStore, MemoryTaskStore, RefCache, ValidationError } from "../src/index.js";
import { deferred, ManualClock, settleEventLoop, trackUnhandledRejections } from "./helpers.js";
import { remoteLike } from "./remote-like-stores.js";

const unhandled = trackUnhandledRejections();

describe("cleanupTasks", () => {
  it("removes finished tasks older than the retention, keeps active and recent ones, and returns the count", async () => {
    const clock = new ManualClock();
    // A lease long enough that the active tasks are not lost when the clock jumps ahead below.
    const cache = new RefCache({ clock, taskRetentionMs: 1000, taskLeaseMs: 2_000_000_000 });
    await cache.registerTask("old-complete", {});
    await cache.completeTask("old-complete", "kept in cache");
    await cache.registerTask("old-failed", {});
    await cache.failTask("old-failed", "x");
    await cache.registerTask("old-cancelled", {});
    await cache.cancelTask("old-cancelled");
    await cache.registerTask("active-pending", {});
    await cache.registerTask("active-processing", {});
    await cache.updateTaskProgress("active-processing", { current: 1 });

    clock.advance(600);
    await cache.registerTask("recent", {});
    await cache.completeTask("recent", 1);

    clock.advance(399);
    expect(await cache.cleanupTasks()).toBe(0);
    clock.advance(1);
    expect(await cache.cleanupTasks()).toBe(3);
    expect(
      cache
        .listTasks()
        .map((t) => t.refId)
        .sort(),
    ).toEqual(["active-pending", "active-processing", "recent"]);
    expect(await cache.get("old-complete")).toBe("kept in cache");

    clock.advance(1_000_000);
    expect(await cache.cleanupTasks()).toBe(1);
    expect(cache.getTaskStatus("active-pending")?.status).toBe("pending");
    expect(cache.getTaskStatus("active-processing")?.status).toBe("processing");
    await cache.close();
  });

  it("measures age on the task store's clock; a clock that went back never removes a task early", async () => {
    const clock = new ManualClock();
    const taskStore = new MemoryTaskStore({ clock });
    const cache = new RefCache({ taskStore, clock: new ManualClock(1) }); // the cache's own clock is not used
    await cache.registerTask("a", {});
    await cache.completeTask("a", 1);
    clock.advance(-500);
    await cache.registerTask("b", {});
    await cache.completeTask("b", 2); // counts as finished when "a" did, not 500 ms before
    clock.advance(500 + 99);
    expect(await cache.cleanupTasks(100)).toBe(0);
    clock.advance(1);
    expect(await cache.cleanupTasks(100)).toBe(2);
    await cache.close();
  });

  it("takes an explicit max age", async () => {
    const clock = new ManualClock();
    const cache = new RefCache({ clock });
    await cache.registerTask("a", {});
    await cache.completeTask("a", 1);
    clock.advance(50);
    expect(await cache.cleanupTasks(51)).toBe(0);
    expect(await cache.cleanupTasks(50)).toBe(1);
    await expect(cache.cleanupTasks(-1)).rejects.toThrow(ValidationError);
    await cache.close();
  });
});

describe("cleanup racing close()", () => {
  it("makes no store call once close() has resolved: a clean-up in flight stops at the chunk in hand, writes are refused unread", async () => {
    const { store, taskStore: shared } = createMemoryStores();
    const taskStore = remoteLike(shared);
    let closed = false;
    let callsAfterClose = 0;
    for (const method of ["get", "create", "update", "list", "listExpiredLeases", "removeFinished"] as const) {
      const inner = taskStore[method] as (...args: unknown[]) => unknown;
      (taskStore as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        if (closed) callsAfterClose++;
        return inner(...args);
      };
    }
    const cache = new RefCache({ store, taskStore });
    // More finished tasks than one chunk of the clean-up (500), so it makes several store calls.
    for (let i = 0; i < 1600; i++) {
      await cache.registerTask(`t${i}`, {});
      await cache.completeTask(`t${i}`, i);
    }
    const cleaning = cache.cleanupTasks(0);
    await new Promise((resolve) => setTimeout(resolve, 0)); // the first chunk removed, the next one due
    await cache.close();
    closed = true;
    const removed = await cleaning;
    await settleEventLoop();
    expect(removed).toBeGreaterThan(0);
    expect(removed).toBeLessThan(1600);
    expect(callsAfterClose).toBe(0);
    // Nor does a write asked for after close(): it is refused before it reads the task.
    for (const write of [
      () => cache.cancelTask("t0"),
      () => cache.updateTaskProgress("t0", { current: 1 }),
      () => cache.completeTask("t0", 1),
    ]) {
      await expect(write()).rejects.toMatchObject({ code: "CACHE_CLOSED" });
    }
    expect(callsAfterClose).toBe(0);
  });
});

describe("close() and the value store's prune", () => {
  it("waits for a prune in flight before it resolves", async () => {
    const store = new MemoryStore();
    const pruned = deferred<number>();
    let pruning = false;
    store.prune = () => {
      pruning = true;
      return pruned.promise;
    };
    const cache = new RefCache({ store, taskCleanupIntervalMs: 10 });
    await cache.set("v", 1, { ttlMs: 60_000 }); // a value with a TTL starts the periodic clean-up
    await vi.waitFor(() => expect(pruning).toBe(true));
    let closed = false;
    const closing = cache.close().then(() => {
      closed = true;
    });
    await settleEventLoop();
    expect(closed).toBe(false);
    pruned.resolve(0);
    await closing;
    expect(closed).toBe(true);
  });
});

describe("periodic cleanup", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts lazily on the first registration", async () => {
    const cache = new RefCache({ taskCleanupIntervalMs: 1000, taskRetentionMs: 0 });
    expect(cache.cleanupRunning).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await cache.registerTask("a", {});
    expect(cache.cleanupRunning).toBe(true);
    // The clean-up, the lease watch, and the heartbeat that renews the lease of the task this instance runs.
    expect(vi.getTimerCount()).toBe(3);
    await cache.registerTask("b", {});
    expect(vi.getTimerCount()).toBe(3);
    await cache.close();
  });

  it("keeps the lease heartbeat while runs come and go, and stops it on a beat with no run", async () => {
    const cache = new RefCache({ taskCleanupIntervalMs: 60_000, taskLeaseMs: 3000 });
    for (const id of ["a", "b", "c"]) {
      await cache.registerTask(id, {});
      await cache.completeTask(id, 1);
      expect(vi.getTimerCount()).toBe(3); // the cleanup, the lease watch and the heartbeat, the same throughout
    }
    await cache.registerTask("running", {});
    const version = async () => (await cache.taskStore.get("running"))?.version;
    const first = await version();
    await vi.advanceTimersByTimeAsync(1000);
    expect(await version()).toBe((first as number) + 1); // the beat renewed the one run left
    await cache.completeTask("running", 1);
    expect(vi.getTimerCount()).toBe(3);
    await vi.advanceTimersByTimeAsync(1000);
    expect(vi.getTimerCount()).toBe(2); // no run here: the heartbeat stopped itself
    await cache.registerTask("again", {});
    expect(vi.getTimerCount()).toBe(3);
    await cache.close();
  });

  it("fires at the configured interval and removes what has aged out", async () => {
    const cache = new RefCache({ taskCleanupIntervalMs: 1000, taskRetentionMs: 2500 });
    const cleanup = vi.spyOn(cache.taskStore, "removeFinished");
    await cache.registerTask("job", {});
    await cache.completeTask("job", 1);

    await vi.advanceTimersByTimeAsync(999);
    expect(cleanup).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(cache.getTaskStatus("job")).toBeDefined();

    await vi.advanceTimersByTimeAsync(2000);
    expect(cleanup).toHaveBeenCalledTimes(3);
    expect(cache.getTaskStatus("job")).toBeUndefined();
    await cache.close();
  });

  it("prunes expired cache values on its ticks", async () => {
    const store = new MemoryStore();
    const cache = new RefCache({ store, taskCleanupIntervalMs: 1000 });
    await cache.set("k", 1, { ttlMs: 1500 });
    expect(cache.cleanupRunning).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.size).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.size).toBe(0);
    await cache.close();
  });

  it("does not start for values that never expire", async () => {
    const cache = new RefCache({ defaultTtlMs: null });
    await cache.set("k", 1);
    expect(cache.cleanupRunning).toBe(false);
    await cache.close();
  });

  it("survives a store whose prune fails", async () => {
    class FailingPrune extends MemoryStore {
      prunes = 0;
      override async prune(): Promise<number> {
        this.prunes++;
        throw new Error("prune failed");
      }
    }
    const store = new FailingPrune();
    const cache = new RefCache({ store, taskCleanupIntervalMs: 100 });
    await cache.set("k", 1);
    await vi.advanceTimersByTimeAsync(300);
    expect(store.prunes).toBe(3);
    await cache.close();
  });

  it("stops on close", async () => {
    const cache = new RefCache({ taskCleanupIntervalMs: 1000 });
    const cleanup = vi.spyOn(cache.taskStore, "removeFinished");
    await cache.registerTask("job", {});
    await vi.advanceTimersByTimeAsync(1000);
    expect(cleanup).toHaveBeenCalledTimes(1);
    await cache.close();
    expect(cache.cleanupRunning).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(cleanup).toHaveBeenCalledTimes(1);
  });

  it("survives a custom prune that returns a number or throws synchronously, with no unhandled rejection", async () => {
    vi.useFakeTimers();
    try {
      class OddStore extends MemoryStore {
        calls = 0;
        override prune = ((): number => {
          this.calls++;
          if (this.calls % 2 === 0) throw new Error("sync throw");
          return 3;
        }) as unknown as MemoryStore["prune"];
      }
      const store = new OddStore();
      const cache = new RefCache({ store, taskCleanupIntervalMs: 100 });
      await cache.set("k", 1, { ttlMs: 10_000 });
      await vi.advanceTimersByTimeAsync(450);
      expect(store.calls).toBe(4);
      expect(await cache.get("k")).toBe(1);
      await cache.close();
    } finally {
      vi.useRealTimers();
    }
    await settleEventLoop();
    expect(unhandled).toEqual([]);
  });
});

describe("the cleanup timer", () => {
  it("does not keep a Node process alive", async () => {
    const script = fileURLToPath(new URL("./fixtures/keep-alive.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => {
      const guard = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(null);
      }, 15_000);
      child.on("exit", (exitCode) => {
        clearTimeout(guard);
        resolve(exitCode);
      });
    });
    expect(output).toContain("registered; cleanup running: true");
    expect(code, `child output: ${output}`).toBe(0);
  }, 20_000);

  it("a cache dropped without close() is garbage-collected", async () => {
    const script = fileURLToPath(new URL("./fixtures/dropped-cache.ts", import.meta.url));
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(output).toContain("collected: true");
    expect(code, output).toBe(0);
  }, 20_000);
});
