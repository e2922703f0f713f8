import { describe, expect, it, vi } from "vitest";
import {
  ErrorCode,
  IllegalTransitionError,
  RefCache,
  type RefCacheError,
  TASK_ERROR_MAX_LENGTH,
  TaskAlreadyActiveError,
  type TaskContext,
  type TaskInfo,
  TaskInfoSchema,
  TaskNotFoundError,
  ValidationError,
} from "../src/index.js";
import { deferred, flush, settleEventLoop, trackUnhandledRejections, useCaches } from "./helpers.js";

const makeCache = useCaches();
const unhandled = trackUnhandledRejections();

describe("manual lifecycle", () => {
  it("register → start → progress → complete stores the result under the ref id", async () => {
    const { cache, clock } = makeCache();
    const registered = await cache.registerTask("job", { abortController: new AbortController() });
    expect(registered).toEqual({
      refId: "job",
      status: "pending",
      startedAt: clock.time,
      updatedAt: clock.time,
      retryCount: 0,
      runId: expect.stringMatching(/^[0-9a-f]{16}$/),
    });

    clock.advance(10);
    expect((await cache.startTask("job")).status).toBe("processing");

    clock.advance(10);
    const progressed = await cache.updateTaskProgress("job", { current: 1, total: 4, message: "first" });
    expect(progressed.progress).toEqual({ current: 1, total: 4, message: "first", percentage: 25 });
    expect(progressed.updatedAt).toBe(clock.time);

    clock.advance(10);
    const done = await cache.completeTask("job", { rows: [1, 2, 3] });
    expect(done.status).toBe("complete");
    expect(done.completedAt).toBe(clock.time);
    expect(await cache.get("job")).toEqual({ rows: [1, 2, 3] });
    expect(TaskInfoSchema.safeParse(cache.getTaskStatus("job")).success).toBe(true);
  });

  it("a first progress update moves a pending task to processing", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", {});
    const info = await cache.updateTaskProgress("job", { message: "warming up" });
    expect(info.status).toBe("processing");
    expect(info.progress).toEqual({ message: "warming up" });
  });

  it("merges partial progress updates and keeps the percentage derived", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", {});
    await cache.updateTaskProgress("job", { total: 200, message: "start" });
    await cache.updateTaskProgress("job", { current: 50 });
    const info = await cache.updateTaskProgress("job", { current: 150, message: "later" });
    expect(info.progress).toEqual({ current: 150, total: 200, message: "later", percentage: 75 });
  });

  it("an updater may return the progress it was given, percentage and all", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", {});
    await cache.updateTaskProgress("job", { current: 1, total: 4 });
    const info = await cache.updateTaskProgress("job", (p) => ({ ...p, current: (p?.current ?? 0) + 1 }));
    expect(info.progress).toEqual({ current: 2, total: 4, percentage: 50 });
    await expect(cache.updateTaskProgress("job", () => ({ current: 9 }))).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.updateTaskProgress("job", () => ({ step: 3 }) as never)).rejects.toBeInstanceOf(ValidationError);
    expect(cache.getTaskStatus("job")?.progress?.current).toBe(2);
  });

  it("register → fail keeps the message and stores no result", async () => {
    const { cache, clock } = makeCache();
    await cache.registerTask("job", {});
    clock.advance(5);
    const info = await cache.failTask("job", new Error("disk full"));
    expect(info).toMatchObject({ status: "failed", error: "disk full", completedAt: clock.time });
    expect(await cache.get("job")).toBeUndefined();
    expect(cache.getTaskStatus("job")?.error).toBe("disk full");
  });

  it("turns any thrown value into a message and cuts very long ones", async () => {
    const { cache } = makeCache();
    await cache.registerTask("a", {});
    await cache.registerTask("b", {});
    await cache.registerTask("c", {});
    expect((await cache.failTask("a", "plain text")).error).toBe("plain text");
    expect((await cache.failTask("b", { code: 42 })).error).toBe('{"code":42}');
    const long = await cache.failTask("c", new Error("x".repeat(TASK_ERROR_MAX_LENGTH * 2)));
    expect(long.error).toHaveLength(TASK_ERROR_MAX_LENGTH);
  });

  it("register → cancel aborts the controller, calls the cancel hook and marks cancelled", async () => {
    const { cache } = makeCache();
    const abortController = new AbortController();
    const cancel = vi.fn();
    await cache.registerTask("job", { abortController, cancel });
    const info = await cache.cancelTask("job", "user asked");
    expect(info.status).toBe("cancelled");
    expect(info.error).toBe("user asked");
    expect(abortController.signal.aborted).toBe(true);
    expect(abortController.signal.reason).toBe("user asked");
    expect(cancel).toHaveBeenCalledWith("user asked");
  });

  it("a cancel hook that throws or rejects still leaves the task cancelled", async () => {
    const { cache } = makeCache();
    await cache.registerTask("a", {
      cancel: () => {
        throw new Error("hook broke");
      },
    });
    await cache.registerTask("b", { cancel: () => Promise.reject(new Error("hook broke later")) });
    expect((await cache.cancelTask("a")).status).toBe("cancelled");
    expect((await cache.cancelTask("b")).status).toBe("cancelled");
    expect(cache.getTaskStatus("a")?.error).toBeUndefined();
  });
});

describe("tasks driven by their promise", () => {
  it("completes by itself with the promise's value", async () => {
    const { cache } = makeCache();
    const work = deferred<string>();
    const info = await cache.registerTask("job", work.promise);
    expect(info.status).toBe("processing");
    work.resolve("the answer");
    await flush();
    expect(cache.getTaskStatus("job")?.status).toBe("complete");
    expect(await cache.get("job")).toBe("the answer");
  });

  it("fails by itself with the promise's rejection", async () => {
    const { cache } = makeCache();
    const work = deferred();
    await cache.registerTask("job", { promise: work.promise });
    work.reject(new Error("upstream 503"));
    await flush();
    expect(cache.getTaskStatus("job")).toMatchObject({ status: "failed", error: "upstream 503" });
  });

  it("fails when the result cannot be stored", async () => {
    const { cache } = makeCache();
    await cache.registerTask(
      "job",
      Promise.resolve(() => "a function is not storable"),
    );
    await flush();
    const info = cache.getTaskStatus("job");
    expect(info?.status).toBe("failed");
    expect(info?.error).toMatch(/^result could not be stored/);
  });

  it("fails when the promise resolves to undefined", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", Promise.resolve(undefined));
    await flush();
    expect(cache.getTaskStatus("job")).toMatchObject({ status: "failed" });
    expect(cache.getTaskStatus("job")?.error).toMatch(/undefined cannot be stored/);
  });

  it("ignores a settlement that comes after a manual finish", async () => {
    const { cache } = makeCache();
    const work = deferred<string>();
    await cache.registerTask("job", work.promise);
    await cache.completeTask("job", "manual");
    work.resolve("late");
    await flush();
    expect(await cache.get("job")).toBe("manual");

    const other = deferred();
    await cache.registerTask("other", other.promise);
    await cache.cancelTask("other");
    other.reject(new Error("aborted"));
    await flush();
    expect(cache.getTaskStatus("other")).toMatchObject({ status: "cancelled" });
    expect(cache.getTaskStatus("other")?.error).toBeUndefined();
  });

  it("ignores a late settlement of an earlier run of the same id", async () => {
    const { cache } = makeCache();
    const first = deferred<string>();
    await cache.registerTask("job", first.promise);
    await cache.failTask("job", "timed out");
    const second = deferred<string>();
    const rerun = await cache.registerTask("job", second.promise);
    expect(rerun.retryCount).toBe(1);
    first.resolve("stale");
    await flush();
    expect(cache.getTaskStatus("job")?.status).toBe("processing");
    expect(await cache.get("job")).toBeUndefined();
    second.resolve("fresh");
    await flush();
    expect(await cache.get("job")).toBe("fresh");
  });

  it("uses the registration's ttl for the result", async () => {
    const { cache, clock } = makeCache();
    await cache.registerTask("job", Promise.resolve(1), { ttlMs: 1000 });
    await flush();
    expect((await cache.getEntry("job"))?.expiresAt).toBe(clock.time + 1000);
    clock.advance(1000);
    expect(await cache.get("job")).toBeUndefined();
  });
});

describe("task functions", () => {
  it("are started with a signal and a progress reporter, and complete with their value", async () => {
    const { cache } = makeCache();
    const seen: TaskInfo[] = [];
    cache.onTaskChange((info) => seen.push(info));
    const gate = deferred();
    await cache.registerTask("job", async ({ reportProgress, signal }: TaskContext) => {
      expect(signal.aborted).toBe(false);
      await reportProgress({ current: 0, total: 2 });
      await gate.promise;
      await reportProgress({ current: 2 });
      return "done";
    });
    await flush();
    expect(cache.getTaskStatus("job")?.progress).toEqual({ current: 0, total: 2, percentage: 0 });
    gate.resolve(undefined);
    await flush(40);
    expect(cache.getTaskStatus("job")?.status).toBe("complete");
    expect(await cache.get("job")).toBe("done");
    expect(seen.map((s) => [s.status, s.progress?.current])).toEqual([
      ["processing", undefined],
      ["processing", 0],
      ["processing", 2],
      ["complete", 2],
    ]);
  });

  it("see their signal aborted on cancel, and progress reported afterwards is dropped quietly", async () => {
    const { cache } = makeCache();
    const gate = deferred();
    let signal: AbortSignal | undefined;
    let late: unknown = "not called";
    await cache.registerTask("job", async (ctx: TaskContext) => {
      signal = ctx.signal;
      await gate.promise;
      late = await ctx.reportProgress({ current: 1 });
      throw new Error("stopped");
    });
    await cache.cancelTask("job");
    expect(signal?.aborted).toBe(true);
    gate.resolve(undefined);
    await flush(40);
    expect(late).toBeUndefined();
    expect(cache.getTaskStatus("job")?.status).toBe("cancelled");
  });

  it("reject bad progress from the task function with a ValidationError", async () => {
    const { cache } = makeCache();
    const outcome = deferred<unknown>();
    await cache.registerTask("job", async (ctx: TaskContext) => {
      try {
        await ctx.reportProgress({ current: 5, total: 1 });
        outcome.resolve("accepted");
      } catch (error) {
        outcome.resolve(error);
      }
      return 1;
    });
    expect(await outcome.promise).toBeInstanceOf(ValidationError);
  });

  it("fail when they throw synchronously", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", () => {
      throw new Error("bad start");
    });
    await flush();
    expect(cache.getTaskStatus("job")).toMatchObject({ status: "failed", error: "bad start" });
  });

  it("complete with a plain return value", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", () => 7);
    await flush();
    expect(await cache.get("job")).toBe(7);
  });
});

describe("illegal transitions and bad input", () => {
  it("rejects every move out of a finished task", async () => {
    const { cache } = makeCache();
    await cache.registerTask("done", {});
    await cache.completeTask("done", 1);
    await cache.registerTask("failed", {});
    await cache.failTask("failed", "x");
    await cache.registerTask("cancelled", {});
    await cache.cancelTask("cancelled");

    for (const id of ["done", "failed", "cancelled"]) {
      const before = cache.getTaskStatus(id);
      await expect(cache.updateTaskProgress(id, { current: 1 })).rejects.toBeInstanceOf(IllegalTransitionError);
      await expect(cache.completeTask(id, 2)).rejects.toBeInstanceOf(IllegalTransitionError);
      await expect(cache.failTask(id, "y")).rejects.toBeInstanceOf(IllegalTransitionError);
      await expect(cache.cancelTask(id)).rejects.toBeInstanceOf(IllegalTransitionError);
      await expect(cache.startTask(id)).rejects.toBeInstanceOf(IllegalTransitionError);
      expect(cache.getTaskStatus(id)).toEqual(before);
    }
    expect(await cache.get("done")).toBe(1);
  });

  it("names the statuses in the error", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", {});
    await cache.failTask("job", "x");
    const error = await cache.completeTask("job", 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.IllegalTransition, from: "failed", to: "complete", refId: "job" });
    expect((error as RefCacheError).toJSON()).toMatchObject({
      code: "ILLEGAL_TRANSITION",
      from: "failed",
      to: "complete",
    });
  });

  it("starts only a pending task", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", deferred().promise);
    await expect(cache.startTask("job")).rejects.toMatchObject({ from: "processing", to: "processing" });
  });

  it("refuses to register an active id twice", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", {});
    const error = await cache.registerTask("job", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskAlreadyActiveError);
    expect(error).toMatchObject({ code: "TASK_ALREADY_ACTIVE", status: "pending" });
  });

  it("registers a finished id again as a retry and drops the old result", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", {});
    await cache.completeTask("job", "old");
    const again = await cache.registerTask("job", {});
    expect(again).toMatchObject({ status: "pending", retryCount: 1 });
    expect(again.progress).toBeUndefined();
    expect(await cache.get("job")).toBeUndefined();
    await cache.failTask("job", "x");
    expect((await cache.registerTask("job", {})).retryCount).toBe(2);
  });

  it("reports unknown ids as TaskNotFoundError", async () => {
    const { cache } = makeCache();
    await expect(cache.updateTaskProgress("nope", { current: 1 })).rejects.toBeInstanceOf(TaskNotFoundError);
    await expect(cache.completeTask("nope", 1)).rejects.toMatchObject({ code: "TASK_NOT_FOUND", refId: "nope" });
    await expect(cache.failTask("nope", "x")).rejects.toBeInstanceOf(TaskNotFoundError);
    await expect(cache.cancelTask("nope")).rejects.toBeInstanceOf(TaskNotFoundError);
    expect(cache.getTaskStatus("nope")).toBeUndefined();
  });

  it("rejects invalid progress with zod issues and keeps the stored progress", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", {});
    await cache.updateTaskProgress("job", { current: 2, total: 10 });
    const cases: unknown[] = [
      { current: -1 },
      { total: -5 },
      { current: 11 },
      { total: 1 },
      { current: Number.NaN },
      { current: "3" },
      { percentage: 50 },
      null,
    ];
    for (const bad of cases) {
      const error = await cache.updateTaskProgress("job", bad as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(bad)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.length).toBeGreaterThan(0);
    }
    expect(cache.getTaskStatus("job")?.progress).toEqual({ current: 2, total: 10, percentage: 20 });
  });

  it("rejects bad ref ids, task inputs and options with ValidationError", async () => {
    const { cache } = makeCache();
    await expect(cache.registerTask("bad id", {})).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.registerTask(42 as never, {})).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.registerTask("job", 5 as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.registerTask("job", { promise: 5 } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.registerTask("job", { abortController: {} } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.registerTask("job", { extra: true } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.registerTask("job", {}, { ttlMs: -1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.completeTask("job", 1, { ttlMs: 0 })).rejects.toBeInstanceOf(ValidationError);
    expect(() => cache.getTaskStatus("a/b")).toThrow(ValidationError);
    expect(() => cache.listTasks({ status: "done" as never })).toThrow(ValidationError);
    expect(() => cache.onTaskChange("nope" as never)).toThrow(ValidationError);
    expect(cache.listTasks()).toEqual([]);
  });

  it("task methods answer every refusal with a rejected promise, never a synchronous throw", async () => {
    const { cache } = makeCache();
    await cache.registerTask("done", {});
    await cache.completeTask("done", 1);
    const calls: [string, (id: string, options?: never) => Promise<unknown>][] = [
      ["registerTask", (id, o) => cache.registerTask(id, {}, o)],
      ["startTask", (id, o) => cache.startTask(id, o)],
      ["updateTaskProgress", (id, o) => cache.updateTaskProgress(id, { current: 1 }, o)],
      ["updateTaskProgress (updater)", (id, o) => cache.updateTaskProgress(id, () => ({ current: 1 }), o)],
      ["completeTask", (id, o) => cache.completeTask(id, 1, o)],
      ["failTask", (id, o) => cache.failTask(id, "x", o)],
      ["cancelTask", (id, o) => cache.cancelTask(id, undefined, o)],
      ["getTask", (id, o) => cache.getTask(id, o)],
    ];
    const outcome = (call: () => Promise<unknown>) => {
      let pending: Promise<unknown>;
      try {
        pending = call();
      } catch (error) {
        return Promise.resolve(`threw ${(error as Error).name}`);
      }
      return pending.then(
        () => "resolved",
        (error: RefCacheError) => error.code,
      );
    };
    for (const [name, call] of calls) {
      expect([name, await outcome(() => call("bad id"))]).toEqual([name, "VALIDATION_ERROR"]);
      expect([name, await outcome(() => call("done", null as never))]).toEqual([name, "VALIDATION_ERROR"]);
      expect([name, await outcome(() => call("done", { nope: 1 } as never))]).toEqual([name, "VALIDATION_ERROR"]);
    }
    for (const [name, call] of calls.slice(1, -1)) {
      expect([name, await outcome(() => call("unknown"))]).toEqual([name, "TASK_NOT_FOUND"]);
    }
    for (const [name, call] of calls.slice(1, -2)) {
      expect([name, await outcome(() => call("done"))]).toEqual([name, "ILLEGAL_TRANSITION"]);
    }
    await cache.close();
    for (const [name, call] of calls) {
      expect([name, await outcome(() => call("done"))]).toEqual([name, "CACHE_CLOSED"]);
    }
  });
});

describe("snapshots and listeners", () => {
  it("getTaskStatus returns a copy the caller cannot use to change the registry", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", {});
    await cache.updateTaskProgress("job", { current: 1, total: 2 });
    const copy = cache.getTaskStatus("job") as TaskInfo;
    copy.status = "complete";
    (copy.progress as { current: number }).current = 2;
    copy.retryCount = 99;
    expect(cache.getTaskStatus("job")).toMatchObject({ status: "processing", retryCount: 0, progress: { current: 1 } });
    expect(cache.getTaskStatus("job")).not.toBe(cache.getTaskStatus("job"));
  });

  it("values returned by mutations and passed to listeners are copies too", async () => {
    const { cache } = makeCache();
    cache.onTaskChange((info) => {
      info.status = "failed";
    });
    const registered = await cache.registerTask("job", {});
    registered.status = "cancelled";
    expect(cache.getTaskStatus("job")?.status).toBe("pending");
  });

  it("lists tasks, filtered by status", async () => {
    const { cache } = makeCache();
    await cache.registerTask("a", {});
    await cache.registerTask("b", deferred().promise);
    await cache.registerTask("c", {});
    await cache.failTask("c", "x");
    expect(cache.listTasks().map((t) => t.refId)).toEqual(["a", "b", "c"]);
    expect(cache.listTasks({ status: "processing" }).map((t) => t.refId)).toEqual(["b"]);
    expect(cache.listTasks({ status: ["pending", "failed"] }).map((t) => t.refId)).toEqual(["a", "c"]);
  });

  it("a throwing listener does not break the mutation or other listeners, and unsubscribing works", async () => {
    const { cache } = makeCache();
    const good = vi.fn();
    cache.onTaskChange(() => {
      throw new Error("bad listener");
    });
    const unsubscribe = cache.onTaskChange(good);
    await cache.registerTask("job", {});
    expect(good).toHaveBeenCalledTimes(1);
    unsubscribe();
    await cache.startTask("job");
    expect(good).toHaveBeenCalledTimes(1);
    expect(cache.getTaskStatus("job")?.status).toBe("processing");
  });

  it("an async listener that rejects does not crash the process", async () => {
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
});

describe("close", () => {
  it("cancels unfinished tasks, aborts their work and refuses further mutations", async () => {
    const { cache } = makeCache();
    const abortController = new AbortController();
    await cache.registerTask("running", { abortController, promise: deferred().promise });
    await cache.registerTask("finished", {});
    await cache.completeTask("finished", 1);
    await cache.close();
    expect(cache.closed).toBe(true);
    expect(abortController.signal.aborted).toBe(true);
    expect(cache.getTaskStatus("running")).toMatchObject({ status: "cancelled", error: "cache closed" });
    expect(cache.getTaskStatus("finished")?.status).toBe("complete");
    await expect(cache.registerTask("new", {})).rejects.toMatchObject({ code: ErrorCode.Closed });
    await expect(cache.updateTaskProgress("running", { current: 1 })).rejects.toMatchObject({ code: "CACHE_CLOSED" });
    await expect(cache.get("finished")).rejects.toMatchObject({ code: "CACHE_CLOSED" });
    await expect(cache.close()).resolves.toBeUndefined();
  });

  it("ignores work that settles after close", async () => {
    const { cache } = makeCache();
    const work = deferred<number>();
    await cache.registerTask("job", work.promise);
    await cache.close();
    work.resolve(1);
    await flush();
    expect(cache.getTaskStatus("job")?.status).toBe("cancelled");
  });

  it("cancels a run whose work settles as close() starts, never leaving it running with no work behind it", async () => {
    for (const outcome of ["resolve", "reject"] as const) {
      const { cache } = makeCache();
      const work = deferred<number>();
      await cache.registerTask("job", work.promise);
      // Settled before close() is called: the run's finish is told of it only once the cache is closing.
      if (outcome === "resolve") work.resolve(1);
      else work.reject(new Error("boom"));
      await cache.close();
      expect(cache.getTaskStatus("job")).toMatchObject({ status: "cancelled", error: "cache closed" });
    }
  });
});

describe("options", () => {
  it("validates constructor options", () => {
    expect(() => new RefCache({ taskCleanupIntervalMs: 0 })).toThrow(ValidationError);
    expect(() => new RefCache({ taskRetentionMs: -1 })).toThrow(ValidationError);
    expect(() => new RefCache({ name: "has space" })).toThrow(ValidationError);
    expect(() => new RefCache({ clock: {} as never })).toThrow(/clock/);
    expect(() => new RefCache({ store: { get() {} } as never })).toThrow(/store/);
    expect(() => new RefCache({ unknown: 1 } as never)).toThrow(ValidationError);
  });

  it("applies the defaults", () => {
    const cache = new RefCache();
    expect(cache).toMatchObject({
      name: "refcache",
      taskCleanupIntervalMs: 60_000,
      taskRetentionMs: 300_000,
      defaultTtlMs: 3_600_000,
    });
  });

  it("makes unguessable ref ids prefixed with the cache name", () => {
    const { cache } = makeCache();
    const ids = new Set(Array.from({ length: 100 }, () => cache.newRefId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^test:[A-Za-z0-9_-]{22}$/);
  });

  it("draws every character of a ref id from all 64 base64url characters alike (6 random bits each)", () => {
    const { cache } = makeCache();
    const counts = new Map<string, number>();
    const draws = 4_000;
    for (let i = 0; i < draws; i++)
      for (const c of cache.newRefId().slice("test:".length)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(64);
    const expected = (draws * 22) / 64; // 1375 per character; a biased draw misses by far more than 25%
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(expected / 4);
  });
});
