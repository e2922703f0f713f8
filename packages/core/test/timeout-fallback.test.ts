import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  RefCache,
  runWithTimeoutFallback,
  TaskAlreadyActiveError,
  TaskNotCompletedError,
  ValidationError,
} from "../src/index.js";
import { useCaches } from "./helpers.js";

const makeCache = useCaches();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("runWithTimeoutFallback", () => {
  let cache: RefCache;
  beforeEach(() => {
    vi.useFakeTimers();
    cache = new RefCache({ name: "tools" });
  });
  afterEach(async () => {
    await cache.close();
    vi.useRealTimers();
  });

  it("returns the value when the work finishes in time, and stores it", async () => {
    const call = runWithTimeoutFallback(
      cache,
      async () => {
        await sleep(50);
        return { rows: 3 };
      },
      { timeoutMs: 100, refId: "fast" },
    );
    await vi.advanceTimersByTimeAsync(50);
    expect(await call).toMatchObject({
      status: "complete",
      refId: "fast",
      value: { rows: 3 },
      task: { status: "complete" },
    });
    expect(cache.getTaskStatus("fast")?.status).toBe("complete");
    expect(await cache.get("fast")).toEqual({ rows: 3 });
    // The cleanup loop, the lease watch and the lease heartbeat, which stops on its first beat with no run:
    // the timeout timer was cleared.
    expect(vi.getTimerCount()).toBe(3);
    await vi.advanceTimersByTimeAsync(cache.taskLeaseMs / 3);
    expect(vi.getTimerCount()).toBe(2);
  });

  it("rethrows the work's error when it fails in time", async () => {
    const call = runWithTimeoutFallback(
      cache,
      async () => {
        await sleep(10);
        throw new Error("bad query");
      },
      { timeoutMs: 100, refId: "broken" },
    );
    const caught = call.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    expect(await caught).toEqual(new Error("bad query"));
    expect(cache.getTaskStatus("broken")).toMatchObject({ status: "failed", error: "bad query" });
  });

  it("hands back a pending reference at the timeout, and the work finishes in the background", async () => {
    const call = runWithTimeoutFallback(
      cache,
      async ({ reportProgress }) => {
        for (let step = 1; step <= 4; step++) {
          await sleep(100);
          await reportProgress({ current: step, total: 4, message: `step ${step}` });
        }
        return "slow answer";
      },
      { timeoutMs: 150 },
    );
    await vi.advanceTimersByTimeAsync(150);
    const pending = await call;
    expect(pending.status).toBe("pending");
    expect(pending.refId).toMatch(/^tools:[A-Za-z0-9_-]{22}$/);
    if (pending.status !== "pending") throw new Error("unreachable");
    expect(pending.task).toMatchObject({ status: "processing", progress: { current: 1, total: 4 } });

    await vi.advanceTimersByTimeAsync(100);
    expect(cache.getTaskStatus(pending.refId)?.progress).toMatchObject({ current: 2, percentage: 50 });
    await vi.advanceTimersByTimeAsync(200);
    expect(cache.getTaskStatus(pending.refId)?.status).toBe("complete");
    expect(await cache.get(pending.refId)).toBe("slow answer");
  });

  it("uses the given ttl for the result", async () => {
    const call = runWithTimeoutFallback(cache, () => 1, { timeoutMs: 10, refId: "ttl", ttlMs: 500 });
    await vi.advanceTimersByTimeAsync(0);
    await call;
    expect((await cache.getEntry("ttl"))?.expiresAt).toBe(Date.now() + 500);
  });

  it("rejects bad options and ids already in use", async () => {
    await expect(runWithTimeoutFallback(cache, () => 1, { timeoutMs: -1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(runWithTimeoutFallback(cache, () => 1, { timeoutMs: 1, refId: "a b" })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await cache.registerTask("busy", {});
    await expect(runWithTimeoutFallback(cache, () => 1, { timeoutMs: 1, refId: "busy" })).rejects.toBeInstanceOf(
      TaskAlreadyActiveError,
    );
  });

  it("reports complete only once the value is stored", async () => {
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
});
