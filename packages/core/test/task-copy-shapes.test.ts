/**
 * The copies a running task's writes and reads make (`copyStoredTask`, `copyProgress`, `toTaskInfo`) build
 * their common shapes in one object literal each, for speed (bench: the "lifecycle at …" lines): every
 * shape must hold exactly the fields, values and key order of the field-by-field path, and share no
 * progress with the task it copies.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type TaskStatus, TaskStatusSchema } from "../src/models.js";
import { copyProgress, copyStoredTask, copyStoredTaskSlow, type StoredTask } from "../src/task-store.js";
import { toTaskInfo, toTaskInfoSlow } from "../src/task-writer.js";
import { progress, storedTasks, time } from "./task-arbitraries.js";

/** A stored task in any status, with any of the optional fields. */
const storedTask = storedTasks({
  statuses: TaskStatusSchema.options as [TaskStatus, ...TaskStatus[]],
  rareAbsentWeight: 5,
  often: ["completedAt", "resultExpiresAt"],
});

/** The same fields, values and key order. */
function expectSameShape(fast: object, slow: object): void {
  expect(fast).toStrictEqual(slow);
  expect(Object.keys(fast)).toStrictEqual(Object.keys(slow));
}

describe("copy shapes", () => {
  it("copyStoredTask holds what the field-by-field copy holds, for every task, and shares no progress", () => {
    fc.assert(
      fc.property(storedTask, fc.boolean(), (task, withoutLease) => {
        const before = structuredClone(task);
        const copy = copyStoredTask(task, withoutLease);
        expectSameShape(copy, copyStoredTaskSlow(task, withoutLease));
        expect(task).toStrictEqual(before);
        if (task.progress !== undefined) expect(copy.progress).not.toBe(task.progress);
      }),
      { numRuns: 2_000 },
    );
  });

  it("copyStoredTask with a new progress holds the field-by-field copy with that progress set, kept as given", () => {
    fc.assert(
      fc.property(storedTask, fc.boolean(), progress, (task, withoutLease, next) => {
        const copy = copyStoredTask(task, withoutLease, next);
        const slow = copyStoredTaskSlow(task, withoutLease);
        slow.progress = next;
        expectSameShape(copy, slow);
        expect(copy.progress).toBe(next);
      }),
      { numRuns: 2_000 },
    );
  });

  it("toTaskInfo holds what the field-by-field view holds, for every task and time of reading", () => {
    fc.assert(
      fc.property(storedTask, time, (task, now) => {
        const info = toTaskInfo(task, now);
        expectSameShape(info, toTaskInfoSlow(task, now));
        if (task.progress !== undefined) expect(info.progress).not.toBe(task.progress);
      }),
      { numRuns: 2_000 },
    );
  });

  it("toTaskInfo marks a complete task's result expired exactly when its expiry is not after now", () => {
    const task: StoredTask = {
      refId: "t",
      status: "complete",
      startedAt: 1,
      updatedAt: 5,
      retryCount: 0,
      runId: "r",
      version: 4,
      progress: { current: 3, total: 3, message: "m", percentage: 100 },
      completedAt: 5,
      resultExpiresAt: 100,
    };
    expect(toTaskInfo(task, 99)).not.toHaveProperty("resultExpired");
    expect(toTaskInfo(task, 100)).toMatchObject({ resultExpired: true });
    expect(toTaskInfo({ ...task, status: "failed", error: "e" }, 100)).not.toHaveProperty("resultExpired");
  });

  it("copyProgress holds every field given, in order, and nothing else", () => {
    fc.assert(
      fc.property(progress, (p) => {
        const copy = copyProgress(p);
        expectSameShape(copy, Object.fromEntries(Object.entries(p)));
        expect(copy).not.toBe(p);
      }),
    );
  });

  it("builds the common running and finished shapes the fast way (same as the field-by-field path)", () => {
    const running: StoredTask = {
      refId: "t",
      status: "processing",
      startedAt: 1,
      updatedAt: 2,
      retryCount: 0,
      runId: "r",
      version: 3,
      leaseMs: 30_000,
      progress: { current: 1, total: 3, message: "one", percentage: 33.33 },
    };
    const done: StoredTask = {
      refId: "t",
      status: "complete",
      startedAt: 1,
      updatedAt: 5,
      retryCount: 0,
      runId: "r",
      version: 4,
      progress: { current: 3, total: 3, message: "three", percentage: 100 },
      completedAt: 5,
      resultExpiresAt: 3_600_005,
    };
    for (const task of [running, done]) {
      expectSameShape(copyStoredTask(task), copyStoredTaskSlow(task));
      expectSameShape(toTaskInfo(task, 6), toTaskInfoSlow(task, 6));
    }
  });
});
