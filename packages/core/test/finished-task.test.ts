/**
 * Finished tasks are built in one object literal per common shape (finished-task.ts), for their memory:
 * every shape must hold exactly what the field-by-field path holds, and share nothing mutable with the
 * task it ended. Also: a fresh id is forgotten once registered, whoever registers it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { finishedTask, finishedTaskSlow, type TaskEnd } from "../src/finished-task.js";
import { ForbiddenError, RefCache } from "../src/index.js";
import type { StoredTask } from "../src/task-store.js";
import { optional, storedTasks, time } from "./task-arbitraries.js";

/** An unfinished task as a store may hand it back, the odd fields a foreign store might leave included. */
const storedTask = storedTasks({
  statuses: ["pending", "processing"],
  rareAbsentWeight: 7,
  often: ["owner"],
});

const taskEnd: fc.Arbitrary<TaskEnd> = fc.record({
  status: fc.constantFrom("complete" as const, "failed" as const, "cancelled" as const),
  at: time,
  error: optional(fc.string()),
  resultExpiresAt: optional(time),
});

describe("finishedTask", () => {
  it("holds exactly the fields, values and no more than the field-by-field path, for every task and end", () => {
    fc.assert(
      fc.property(storedTask, taskEnd, (task, end) => {
        const before = structuredClone(task);
        const fast = finishedTask(task, end);
        expect(fast).toStrictEqual(finishedTaskSlow(task, end));
        expect(task).toStrictEqual(before); // the task it ended is left as it was
        if (task.progress !== undefined) expect(fast.progress).not.toBe(task.progress);
        expect(fast).not.toHaveProperty("leaseMs");
        expect(fast).not.toHaveProperty("leaseExpired");
      }),
      { numRuns: 2_000 },
    );
  });

  it("holds the same fields as the field-by-field path in every shape it builds a literal for", () => {
    const progress = { current: 2, total: 3, message: "two", percentage: 66.67 };
    const tails = [{ error: "boom" }, { resultExpiresAt: 9_000 }, {}, { error: "boom", resultExpiresAt: 9_000 }];
    let shapes = 0;
    for (const owner of [undefined, "alice"]) {
      for (const withProgress of [false, true]) {
        for (const tail of tails) {
          const task: StoredTask = {
            refId: "t",
            status: "processing",
            startedAt: 1,
            updatedAt: 2,
            retryCount: 0,
            runId: "r",
            version: 3,
            leaseMs: 30_000,
          };
          if (owner !== undefined) task.owner = owner;
          if (withProgress) task.progress = { ...progress };
          const end: TaskEnd = { status: "complete", at: 5, ...tail };
          const fast = finishedTask(task, end);
          expect(fast).toStrictEqual(finishedTaskSlow(task, end));
          expect(Object.keys(fast).sort()).toStrictEqual(
            [
              "refId",
              "status",
              "startedAt",
              "updatedAt",
              "retryCount",
              "runId",
              "version",
              "completedAt",
              ...(owner === undefined ? [] : ["owner"]),
              ...(withProgress ? ["progress"] : []),
              ...Object.keys(tail),
            ].sort(),
          );
          shapes++;
        }
      }
    }
    expect(shapes).toBe(16);
  });

  it("keeps every field of the common finished shapes through a RefCache", async () => {
    const cache = new RefCache({ clock: { now: () => 1_000 }, defaultTtlMs: 60_000 });
    try {
      const progress = { current: 1, total: 4, message: "one" };
      await cache.registerTask("done", {}, { owner: "alice" });
      await cache.updateTaskProgress("done", progress);
      await cache.completeTask("done", { rows: 3 });
      expect(await cache.getTask("done", { owner: "alice" })).toStrictEqual({
        refId: "done",
        status: "complete",
        startedAt: 1_000,
        updatedAt: 1_000,
        completedAt: 1_000,
        retryCount: 0,
        runId: expect.any(String),
        owner: "alice",
        progress: { ...progress, percentage: 25 },
        resultExpiresAt: 61_000,
      });
      await cache.registerTask("broken", {});
      await cache.failTask("broken", new Error("disk full"));
      expect(await cache.getTask("broken")).toMatchObject({ status: "failed", error: "disk full", completedAt: 1_000 });
      expect(await cache.getTask("broken")).not.toHaveProperty("progress");
    } finally {
      await cache.close();
    }
  });
});

describe("fresh ids", () => {
  it("are checked like any other once a server-side registration took one: an owner cannot claim it", async () => {
    const cache = new RefCache();
    try {
      const id = cache.newRefId();
      await cache.registerTask(id, {});
      await cache.completeTask(id, "server only");
      await expect(cache.registerTask(id, {}, { owner: "mallory" })).rejects.toBeInstanceOf(ForbiddenError);
      expect(await cache.get(id)).toBe("server only");
    } finally {
      await cache.close();
    }
  });
});
