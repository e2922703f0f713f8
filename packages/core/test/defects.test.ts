/**
 * One test per defect found by trying the built package adversarially (issue "Task state in a shared
 * TaskStore", defects 1–14). Each failed before its fix.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { truncate } from "../src/errors.js";
import {
  MemoryStore,
  RefCache,
  RefCacheError,
  runWithTimeoutFallback,
  type TaskContext,
  TaskNotCompletedError,
  ValidationError,
} from "../src/index.js";
import { deferred, flush, ManualClock, until, useCaches } from "./helpers.js";

const makeCache = useCaches();

/** Unhandled rejections seen while a test runs (vitest would otherwise report them after the fact). */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});
const settleEventLoop = () => new Promise((r) => setTimeout(r, 10));

describe("defects", () => {
  it("1: an async listener that rejects does not crash the process", async () => {
    const { cache } = makeCache();
    cache.onTaskChange(async () => {
      throw new Error("listener failed");
    });
    await cache.registerTask("job", {});
    await cache.completeTask("job", 1);
    await settleEventLoop();
    expect(unhandled).toEqual([]);
    expect(cache.getTaskStatus("job")?.status).toBe("complete");
  });

  it("2: a custom prune that returns a number or throws synchronously does not crash the cleanup timer", async () => {
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

  it("3: registerTask racing close() never leaves a task running, and every close() waits for the first", async () => {
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

  it("3: close() waits for store writes in flight before closing the store", async () => {
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

  it("4: a cancelled run's progress and finish never reach the next run of the same id", async () => {
    const { cache } = makeCache();
    let oldContext: TaskContext | undefined;
    const first = await cache.registerTask("job", (ctx: TaskContext) => {
      oldContext = ctx;
      return new Promise(() => {});
    });
    await cache.cancelTask("job");
    await cache.registerTask("job", {});
    expect(await oldContext?.reportProgress({ current: 5, total: 10 })).toBeUndefined();
    expect(cache.getTaskStatus("job")?.progress).toBeUndefined();
    await expect(cache.completeTask("job", "late", { runId: first.runId })).rejects.toMatchObject({
      code: "STALE_RUN",
    });
    await expect(cache.failTask("job", "late", { runId: first.runId })).rejects.toMatchObject({ code: "STALE_RUN" });
    expect(cache.getTaskStatus("job")?.status).toBe("pending");
  });

  it("5: work that rejects with an unprintable value fails the task; fail and cancel accept such values", async () => {
    const { cache } = makeCache();
    const nullProto = Object.create(null) as object;
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const badMessage = new Error("x");
    Object.defineProperty(badMessage, "message", {
      get() {
        throw new Error("no message for you");
      },
    });
    for (const [i, reason] of [nullProto, proxy, badMessage].entries()) {
      await cache.registerTask(`job${i}`, Promise.reject(reason));
    }
    await until(() => [0, 1, 2].every((i) => cache.getTaskStatus(`job${i}`)?.status === "failed"));
    for (const [i, reason] of [nullProto, proxy, badMessage].entries()) {
      await cache.registerTask(`fail${i}`, {});
      expect((await cache.failTask(`fail${i}`, reason)).status).toBe("failed");
      await cache.registerTask(`cancel${i}`, {});
      expect((await cache.cancelTask(`cancel${i}`, reason)).status).toBe("cancelled");
    }
  });

  it("6: error texts never quote user code", async () => {
    const { cache } = makeCache();
    const leaky = { token: () => "sk-SECRET-123" };
    const error = await cache.set("k", leaky).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).not.toContain("SECRET");
    expect((error as ValidationError).issues[0]?.path).toEqual(["token"]);
    await cache.registerTask("job", Promise.resolve(leaky));
    await until(() => cache.getTaskStatus("job")?.status === "failed");
    expect(cache.getTaskStatus("job")?.error).not.toContain("SECRET");
    await cache.registerTask(
      "job2",
      Promise.reject(() => "sk-SECRET-456"),
    );
    await until(() => cache.getTaskStatus("job2")?.status === "failed");
    expect(cache.getTaskStatus("job2")?.error).not.toContain("SECRET");
  });

  it("7: an updater that never settles blocks neither cancel nor close; one that updates its own id does not deadlock", async () => {
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

  it("8: runWithTimeoutFallback reports complete only once the value is stored", async () => {
    const { cache } = makeCache();
    const outcome = runWithTimeoutFallback(cache, async () => ({ when: new Date(0) }), {
      timeoutMs: 1_000,
      refId: "job",
    });
    await expect(outcome).rejects.toBeInstanceOf(TaskNotCompletedError);
    expect(cache.getTaskStatus("job")?.status).toBe("failed");
    expect(await cache.get("job")).toBeUndefined();
    const ok = await runWithTimeoutFallback(cache, async () => ({ n: 1 }), { timeoutMs: 1_000, refId: "ok" });
    expect(ok.status).toBe("complete");
    expect(await cache.get("ok")).toEqual({ n: 1 });
  });

  it("9: intervals and timeouts past 2³¹−1 ms are refused", async () => {
    expect(() => new RefCache({ taskCleanupIntervalMs: 2 ** 31 })).toThrow(ValidationError);
    expect(() => new RefCache({ taskLeaseMs: 2 ** 31 })).toThrow(ValidationError);
    const { cache } = makeCache();
    await expect(runWithTimeoutFallback(cache, () => 1, { timeoutMs: 2 ** 31 })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it("10: a clock that answers nonsense or throws gives typed errors", async () => {
    for (const bad of [Number.NaN, "1700000000000", 1.5, -1]) {
      const cache = new RefCache({ clock: { now: () => bad as number } });
      const error = await cache.registerTask("job", {}).catch((e: unknown) => e);
      expect(RefCacheError.isInstance(error), String(bad)).toBe(true);
      await cache.close();
    }
    const throwing = new RefCache({
      clock: {
        now: () => {
          throw new Error("clock broke");
        },
      },
    });
    expect(RefCacheError.isInstance(await throwing.set("k", 1).catch((e: unknown) => e))).toBe(true);
    await throwing.close();
  });

  it("11: a cache dropped without close() is garbage-collected", async () => {
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

  it("12: a value nested too deep is a VALIDATION_ERROR, not a STORE_ERROR", async () => {
    const { cache } = makeCache();
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    await expect(cache.set("k", deep)).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
  });

  it("13: odd inputs give typed errors, and truncation keeps surrogate pairs whole", async () => {
    const { cache } = makeCache();
    expect(() => cache.listTasks(null as never)).not.toThrow();
    expect(() => cache.listTasks(5 as never)).toThrow(ValidationError);
    const hostile = {};
    // biome-ignore lint/suspicious/noThenProperty: the point is a hostile thenable
    Object.defineProperty(hostile, "then", {
      get() {
        throw new Error("then getter");
      },
    });
    await expect(cache.registerTask("job", hostile as never)).rejects.toBeInstanceOf(ValidationError);
    const text = `${"a".repeat(9)}😀tail`;
    const cut = truncate(text, 11);
    expect(cut).toBe(`${"a".repeat(9)}…`);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it("14: failTask, completeTask and close() abort work that is still running", async () => {
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
