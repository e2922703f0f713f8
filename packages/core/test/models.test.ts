import { describe, expect, it } from "vitest";
import {
  isTerminalStatus,
  RefCache,
  RefIdSchema,
  TaskInfoSchema,
  TaskProgressSchema,
  TaskProgressUpdateSchema,
  TaskStatusSchema,
  ValidationError,
} from "../src/index.js";
import { canTransition, TASK_TRANSITIONS } from "../src/store-kit.js";

describe("TaskStatus", () => {
  it("accepts exactly the five statuses", () => {
    expect(TaskStatusSchema.options).toEqual(["pending", "processing", "complete", "failed", "cancelled"]);
    expect(TaskStatusSchema.safeParse("done").success).toBe(false);
  });

  it("knows which statuses are terminal", () => {
    expect(TaskStatusSchema.options.filter(isTerminalStatus)).toEqual(["complete", "failed", "cancelled"]);
  });

  it("allows no move out of a terminal status and every move out of an active one", () => {
    for (const from of TaskStatusSchema.options) {
      for (const to of TaskStatusSchema.options) {
        const expected = !isTerminalStatus(from) && to !== "pending";
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
    expect(TASK_TRANSITIONS.complete).toHaveLength(0);
  });
});

describe("TaskProgress", () => {
  it("derives the percentage when current and total are known", () => {
    expect(TaskProgressSchema.parse({ current: 1, total: 3 })).toEqual({ current: 1, total: 3, percentage: 33.33 });
    expect(TaskProgressSchema.parse({ current: 10, total: 10 }).percentage).toBe(100);
    expect(TaskProgressSchema.parse({ current: 0, total: 5 }).percentage).toBe(0);
  });

  it("leaves the percentage out when it cannot be known", () => {
    expect(TaskProgressSchema.parse({ current: 4 })).toEqual({ current: 4 });
    expect(TaskProgressSchema.parse({ total: 4, message: "m" })).toEqual({ total: 4, message: "m" });
    expect(TaskProgressSchema.parse({ current: 0, total: 0 })).toEqual({ current: 0, total: 0 });
  });

  it("recomputes a percentage it is given instead of trusting it", () => {
    expect(TaskProgressSchema.parse({ current: 1, total: 4, percentage: 99 }).percentage).toBe(25);
  });

  it("rejects negative, non-finite and inconsistent numbers", () => {
    expect(TaskProgressSchema.safeParse({ current: -1 }).success).toBe(false);
    expect(TaskProgressSchema.safeParse({ total: Number.POSITIVE_INFINITY }).success).toBe(false);
    expect(TaskProgressSchema.safeParse({ current: Number.NaN }).success).toBe(false);
    const tooFar = TaskProgressSchema.safeParse({ current: 5, total: 4 });
    expect(tooFar.success).toBe(false);
    expect(tooFar.error?.issues[0]?.path).toEqual(["current"]);
  });

  it("rejects unknown fields in an update", () => {
    expect(TaskProgressUpdateSchema.safeParse({ current: 1, percent: 3 }).success).toBe(false);
    expect(TaskProgressUpdateSchema.safeParse({ message: "x".repeat(1001) }).success).toBe(false);
  });
});

describe("RefId", () => {
  it.each(["a", "refcache:0123abcd", "job-1.part_2", "A".repeat(256)])("accepts %s", (id) => {
    expect(RefIdSchema.safeParse(id).success).toBe(true);
  });

  it.each(["", ":a", "a/b", "a b", "a?b", "é", "A".repeat(257)])("rejects %j", (id) => {
    expect(RefIdSchema.safeParse(id).success).toBe(false);
  });

  it("is checked the same on the cache's fast path, which remembers only valid ids", () => {
    const cache = new RefCache();
    const bad = ["", ":a", "a/b", "a b", "a?b", "é", "A".repeat(257), 42, null];
    const valid = ["a", "refcache:0123abcd", "job-1.part_2", "A".repeat(256), cache.newRefId()];
    // Far more ids than are remembered, so the memory of valid ids empties and fills again meanwhile.
    for (let round = 0; round < 3; round++) {
      for (const id of bad) expect(() => cache.getTaskStatus(id as string)).toThrow(ValidationError);
      for (const id of valid) expect(cache.getTaskStatus(id)).toBeUndefined();
      for (let i = 0; i < 5_000; i++) expect(cache.getTaskStatus(`${round}-${i}`)).toBeUndefined();
    }
    expect(() => cache.getTaskStatus("a b")).toThrow(ValidationError);
  });
});

describe("TaskInfo", () => {
  it("round-trips a full snapshot", () => {
    const info = {
      refId: "t1",
      status: "failed",
      progress: { current: 2, total: 4, message: "half", percentage: 50 },
      startedAt: 1,
      updatedAt: 2,
      completedAt: 2,
      error: "boom",
      retryCount: 1,
      runId: "r1",
    };
    expect(TaskInfoSchema.parse(info)).toEqual(info);
    expect(TaskInfoSchema.safeParse({ ...info, retryCount: -1 }).success).toBe(false);
  });
});
