/**
 * A run that was cancelled or replaced elsewhere stops at its next lease renewal or store write, even
 * when the store cannot tell of changes (no `subscribe`, or a change feed that dropped the message): the
 * same work never runs twice.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStores, RefCache, type TaskContext } from "../src/index.js";
import { until, useCaches } from "./helpers.js";
import { remoteLike } from "./remote-like-stores.js";

/** Work that runs until aborted, and says so. */
function endless() {
  const state: { signal?: AbortSignal; reason?: unknown } = {};
  const work = ({ signal }: { signal: AbortSignal }) => {
    state.signal = signal;
    signal.addEventListener("abort", () => {
      state.reason = signal.reason;
    });
    return new Promise(() => {});
  };
  return { state, work };
}

const makeCache = useCaches();

describe("a superseded run", () => {
  it("cancelled and re-registered on B (no change feed): A's first run aborts at its next lease renewal", async () => {
    const { store, taskStore } = createMemoryStores();
    const shared = remoteLike(taskStore);
    const a = new RefCache({ store, taskStore: shared, taskLeaseMs: 90, instanceId: "a" });
    const b = new RefCache({ store, taskStore: shared, taskLeaseMs: 90, instanceId: "b" });
    try {
      const first = endless();
      await a.registerTask("R", first.work);
      await b.cancelTask("R");
      const second = await b.registerTask("R", new Promise(() => {}));
      await until(() => first.state.signal?.aborted === true, 2_000);
      expect(String(first.state.reason)).toContain(`superseded by run ${second.runId}`);
      // The second run is untouched by A's renewals.
      expect(await a.getTask("R")).toMatchObject({ status: "processing", runId: second.runId });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("aborts at the run's next progress write when that comes first", async () => {
    const { store, taskStore } = createMemoryStores();
    const shared = remoteLike(taskStore);
    // Leases too long to renew during the test: only the progress write can tell A.
    const a = new RefCache({ store, taskStore: shared, taskLeaseMs: 600_000, instanceId: "a" });
    const b = new RefCache({ store, taskStore: shared, taskLeaseMs: 600_000, instanceId: "b" });
    try {
      let report!: () => Promise<unknown>;
      let signal: AbortSignal | undefined;
      await a.registerTask("R", ({ signal: given, reportProgress }) => {
        signal = given;
        report = () => reportProgress({ current: 1 });
        return new Promise(() => {});
      });
      await b.cancelTask("R");
      await b.registerTask("R", new Promise(() => {}));
      expect(await report()).toBeUndefined(); // refused as a stale run
      expect(signal?.aborted).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("removed and registered anew elsewhere (the same run number): A's run still stops", async () => {
    const { store, taskStore } = createMemoryStores();
    const shared = remoteLike(taskStore);
    const a = new RefCache({ store, taskStore: shared, taskLeaseMs: 90, instanceId: "a" });
    const b = new RefCache({ store, taskStore: shared, taskLeaseMs: 90, instanceId: "b" });
    try {
      const first = endless();
      await a.registerTask("R", first.work);
      await b.cancelTask("R");
      expect(await b.cleanupTasks(0)).toBe(1);
      const again = await b.registerTask("R", new Promise(() => {}));
      expect(again.retryCount).toBe(0);
      await until(() => first.state.signal?.aborted === true, 2_000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("a run whose task was removed elsewhere stops at its next renewal", async () => {
    const { store, taskStore } = createMemoryStores();
    const shared = remoteLike(taskStore);
    const a = new RefCache({ store, taskStore: shared, taskLeaseMs: 90, instanceId: "a" });
    try {
      const first = endless();
      await a.registerTask("R", first.work);
      // Another instance fails it and cleans it up, and nobody registers it again.
      const b = new RefCache({ store, taskStore: shared, instanceId: "b" });
      await b.failTask("R", "stopped by an operator");
      await b.cleanupTasks(0);
      await b.close();
      await until(() => first.state.signal?.aborted === true, 2_000);
    } finally {
      await a.close();
    }
  });

  it("a cancelled run's progress and finish never reach the next run of the same id", async () => {
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
});
