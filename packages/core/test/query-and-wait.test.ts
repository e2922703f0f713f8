import { describe, expect, it, vi } from "vitest";
import {
  createMemoryStores,
  errorMessage,
  RefCache,
  RefCacheError,
  runWithTimeoutFallback,
  TaskNotCompletedError,
  TaskNotFoundError,
  ValidationError,
  WORKER_LOST_MESSAGE,
} from "../src/index.js";
import { deferred, ManualClock, useCaches } from "./helpers.js";
import { remoteLike } from "./remote-like-stores.js";

const makeCache = useCaches();

describe("queryTasks", () => {
  it("pages through the store's tasks filtered by status and owner", async () => {
    const { cache } = makeCache();
    for (let i = 0; i < 5; i++) await cache.registerTask(`t${i}`, {}, { owner: i < 3 ? "alice" : "bob" });
    await cache.completeTask("t0", 1);
    const first = await cache.queryTasks({ owner: "alice", limit: 2 });
    expect(first.tasks.map((t) => t.refId)).toEqual(["t0", "t1"]);
    const second = await cache.queryTasks({ owner: "alice", limit: 2, cursor: first.nextCursor as string });
    expect(second).toEqual({ tasks: [expect.objectContaining({ refId: "t2" })] });
    expect((await cache.queryTasks({ status: "complete" })).tasks.map((t) => t.refId)).toEqual(["t0"]);
    expect((await cache.queryTasks({ status: ["pending"], owner: "bob" })).tasks).toHaveLength(2);
    await expect(cache.queryTasks({ cursor: "not-ours" })).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.queryTasks({ limit: 0 })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("waitForTask", () => {
  it("resolves when the task finishes, at the timeout, on abort, and with undefined for unknown ids", async () => {
    const { cache } = makeCache();
    expect(await cache.waitForTask("nope", { timeoutMs: 10 })).toBeUndefined();
    const gate = deferred();
    await cache.registerTask("job", gate.promise);
    expect((await cache.waitForTask("job", { timeoutMs: 5 }))?.status).toBe("processing");
    const controller = new AbortController();
    const aborted = cache.waitForTask("job", { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    expect((await aborted)?.status).toBe("processing");
    const waiting = cache.waitForTask("job", { timeoutMs: 60_000 });
    gate.resolve("done");
    expect((await waiting)?.status).toBe("complete");
    expect((await cache.waitForTask("job", { timeoutMs: 60_000 }))?.status).toBe("complete");
    expect(await cache.waitForTask("job", { timeoutMs: 0, owner: "someone-else" })).toBeUndefined();
  });

  it("never resolves undefined for a task that was there when its last read fails", async () => {
    // The cache closes while a wait runs: the wait ends with the task as close() left it.
    const { cache } = makeCache();
    await cache.registerTask("job", deferred().promise);
    const waiting = cache.waitForTask("job", { timeoutMs: 60_000 });
    await cache.close();
    expect(await waiting).toMatchObject({ refId: "job", status: "cancelled", error: "cache closed" });

    // The store is away when the wait times out: the wait ends with the last state it read.
    const { store, taskStore } = createMemoryStores();
    let away = false;
    const flaky = remoteLike(taskStore, { subscribe: true });
    flaky.get = (refId) => (away ? Promise.reject(new Error("store away")) : taskStore.get(refId));
    const remote = new RefCache({ store, taskStore: flaky });
    await remote.registerTask("job", {}, { owner: "alice" });
    await remote.updateTaskProgress("job", { current: 1 });
    const timedOut = remote.waitForTask("job", { timeoutMs: 20, owner: "alice" });
    await new Promise((r) => setTimeout(r, 5));
    away = true;
    expect(await timedOut).toMatchObject({ refId: "job", status: "processing", progress: { current: 1 } });
    away = false;
    await remote.close();
  });

  it("runWithTimeoutFallback reports a cancel within the timeout as TaskNotCompletedError", async () => {
    const { cache } = makeCache();
    const outcome = runWithTimeoutFallback(
      cache,
      ({ signal }) => new Promise((r) => signal.addEventListener("abort", r)),
      {
        timeoutMs: 60_000,
        refId: "job",
        owner: "alice",
        ttlMs: 1_000,
      },
    );
    while (cache.getTaskStatus("job") === undefined) await new Promise((r) => setTimeout(r, 1));
    await cache.cancelTask("job", "stop");
    const error = await outcome.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskNotCompletedError);
    expect(error).toMatchObject({ status: "cancelled", code: "TASK_NOT_COMPLETED", reason: "stop" });
  });
});

describe("owners on values", () => {
  it("hides a value from other owners and reports its owner", async () => {
    const { cache } = makeCache();
    await cache.set("k", { a: 1 }, { owner: "alice" });
    expect(await cache.getEntry("k", { owner: "alice" })).toMatchObject({ owner: "alice", value: { a: 1 } });
    expect(await cache.getEntry("k", { owner: "bob" })).toBeUndefined();
    expect(await cache.has("k", { owner: "bob" })).toBe(false);
    expect(await cache.delete("k", { owner: "bob" })).toBe(false);
    expect(await cache.delete("k", { owner: "alice" })).toBe(true);
  });
});

describe("errors", () => {
  it("isInstance knows the library's errors by brand and code, and nothing else", () => {
    const error = new TaskNotFoundError("x");
    expect(RefCacheError.isInstance(error)).toBe(true);
    expect(RefCacheError.isInstance(error, "TASK_NOT_FOUND")).toBe(true);
    expect(RefCacheError.isInstance(error, "STORE_ERROR")).toBe(false);
    expect(RefCacheError.isInstance({ code: "TASK_NOT_FOUND" })).toBe(false);
    expect(RefCacheError.isInstance(null)).toBe(false);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(RefCacheError.isInstance(proxy)).toBe(false);
  });

  it("errorMessage prints anything without throwing or quoting code", () => {
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage(new Error(""))).toBe("Error");
    expect(errorMessage({ why: "x", fn: () => "SECRET", n: 1n })).toBe('{"why":"x","fn":"[function]","n":"1"}');
    expect(errorMessage(() => "SECRET")).not.toContain("SECRET");
    expect(errorMessage(Symbol("sym"))).toBe("sym");
    expect(errorMessage(undefined)).toBe("undefined");
    expect(errorMessage(42)).toBe("42");
  });
});

describe("leases of runs in this process", () => {
  it("are renewed while the heartbeat runs, and reaped once it stopped (the runtime dropped the work)", async () => {
    vi.useFakeTimers();
    try {
      const clock = new ManualClock();
      const cache = new RefCache({ clock, taskLeaseMs: 300 });
      await cache.registerTask("job", new Promise(() => {}));
      clock.advance(1_000);
      // The heartbeat is alive (real time has not moved): the lease is renewed, not reaped.
      expect((await cache.getTask("job"))?.status).toBe("processing");
      // Real time moves on but the heartbeat never fires, as when a Worker's isolate dropped the work.
      const later = performance.now() + 1_000;
      vi.spyOn(performance, "now").mockImplementation(() => later);
      clock.advance(1_000);
      expect(await cache.getTask("job")).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE });
      await cache.close();
    } finally {
      vi.restoreAllMocks();
      vi.useRealTimers();
    }
  });
});
