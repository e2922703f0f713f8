/**
 * The synchronous local views (`getTaskStatus`, `listTasks`) on a store that cannot be read synchronously
 * (Redis and the like): bounded in size, cleared of tasks another instance's clean-up removed, and never
 * alive for a task this instance saw lost.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStores, MemoryTaskStore, RefCache, WORKER_LOST_MESSAGE } from "../src/index.js";
import { inProcessTaskStore } from "../src/internal.js";
import { LocalView, MAX_ENTRIES } from "../src/local-view.js";
import type { TaskInfo } from "../src/models.js";
import { until } from "./helpers.js";
import { remoteLike } from "./remote-like-stores.js";

describe("the local view of a remote store", () => {
  it("shows the new run of an id registered anew, here or elsewhere, though its versions start again at 1", async () => {
    const { store, taskStore } = createMemoryStores();
    for (const feed of [true, false]) {
      const a = new RefCache({ store, taskStore: remoteLike(taskStore, { subscribe: feed }), instanceId: "a" });
      const b = new RefCache({ store, taskStore: remoteLike(taskStore, { subscribe: feed }), instanceId: "b" });
      const id = `job-${feed}`;
      await a.registerTask(id, {});
      for (let i = 1; i <= 5; i++) await a.updateTaskProgress(id, { current: i });
      await a.completeTask(id, 1); // version 7 of the first run
      const second = await a.registerTask(id, {});
      expect(a.getTaskStatus(id)).toMatchObject({ runId: second.runId, status: "pending" });
      expect(a.listTasks().map((t) => t.runId)).toEqual([second.runId]);
      await a.cancelTask(id);
      const third = await b.registerTask(id, {}); // another instance's run
      await b.updateTaskProgress(id, { current: 1 });
      expect(await a.getTask(id)).toMatchObject({ runId: third.runId, status: "processing" }); // read here
      expect(a.getTaskStatus(id)).toMatchObject({ runId: third.runId, status: "processing" });
      // And follows that run as it finishes elsewhere (told by the feed, where there is one).
      await b.completeTask(id, 2);
      await until(() => !feed || a.getTaskStatus(id)?.status === "complete");
      await a.close();
      await b.close();
    }
  });

  it("forgets the 2 000 finished tasks another instance's clean-up removed", async () => {
    const { store, taskStore } = createMemoryStores();
    const a = new RefCache({ store, taskStore: remoteLike(taskStore, { subscribe: true }), instanceId: "a" });
    const b = new RefCache({ store, taskStore: remoteLike(taskStore, { subscribe: true }), instanceId: "b" });
    try {
      a.onTaskChange(() => {}); // A listens to the store (as a running instance does)
      for (let i = 0; i < 2_000; i++) {
        await a.registerTask(`t${i}`, {});
        await a.completeTask(`t${i}`, i);
      }
      expect(a.listTasks()).toHaveLength(2_000);
      expect(a.getTaskStatus("t7")?.status).toBe("complete");
      expect(await b.cleanupTasks(0)).toBe(2_000);
      expect(a.listTasks()).toEqual([]);
      expect(a.getTaskStatus("t7")).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("stays bounded without a change feed: at most MAX_ENTRIES tasks, finished ones gone after the retention", async () => {
    const { store, taskStore } = createMemoryStores();
    const a = new RefCache({ store, taskStore: remoteLike(taskStore), instanceId: "a", taskRetentionMs: 2_000 });
    try {
      const count = MAX_ENTRIES + 500;
      for (let i = 0; i < count; i++) {
        await a.registerTask(`t${i}`, {});
        await a.completeTask(`t${i}`, i);
      }
      const listed = a.listTasks();
      expect(listed.length).toBeLessThanOrEqual(MAX_ENTRIES);
      expect(a.getTaskStatus(`t${count - 1}`)?.status).toBe("complete"); // the newest stay
      // Past the retention every instance's clean-up removes them: the view lets them go too.
      await until(() => a.listTasks().length === 0, 10_000);
    } finally {
      await a.close();
    }
  });

  it("never shows alive a task this instance saw lost", async () => {
    const memory = new MemoryTaskStore();
    const { store } = memory;
    const shared = remoteLike(memory);
    const a = new RefCache({ store, taskStore: shared, instanceId: "a" });
    try {
      await a.registerTask("job", {});
      expect(a.getTaskStatus("job")?.status).toBe("pending");
      // The lease ends (as if this instance's heartbeat had stopped): one read tells the rule.
      const stored = await memory.get("job");
      if (stored === undefined) throw new Error("no task");
      await memory.update({ ...stored, leaseMs: 1 }, stored.version);
      await until(() => memory[inProcessTaskStore].read("job")?.leaseExpired === true, 2_000);
      const b = new RefCache({ store, taskStore: shared, instanceId: "b" });
      expect(await b.getTask("job")).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE });
      await b.close();
      expect(a.getTaskStatus("job")?.status).toBe("pending"); // a remote view may lag…
      expect(await a.getTask("job")).toMatchObject({ status: "failed" });
      expect(a.getTaskStatus("job")).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE }); // …not once seen
      expect(a.listTasks({ status: "pending" })).toEqual([]);
    } finally {
      await a.close();
    }
  });
});

describe("LocalView.holdsNewer", () => {
  const info = (runId: string, retryCount: number): TaskInfo => ({
    refId: "job",
    status: "processing",
    startedAt: 0,
    updatedAt: 0,
    retryCount,
    runId,
  });

  it("is newer for a later version of the run, or a later run of the id: a late change of an earlier run is stale", () => {
    const view = new LocalView(60_000);
    view.put(info("second", 1), 1, false);
    expect(view.holdsNewer("job", "first", 0, 7)).toBe(true); // an earlier run, at any version
    expect(view.holdsNewer("job", "second", 1, 0)).toBe(true);
    expect(view.holdsNewer("job", "second", 1, 1)).toBe(false);
    expect(view.holdsNewer("job", "third", 2, 1)).toBe(false); // a later run than the one held
    expect(view.holdsNewer("other", "first", 0, 0)).toBe(false);
  });
});
