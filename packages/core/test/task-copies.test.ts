/**
 * Every field-by-field copy of a task keeps every field its key list names (task-store.ts): the lists
 * fail to compile when a field is added to the type, and these checks then fail until the copy copies it.
 */
import { describe, expect, it } from "vitest";
import { finishedTask, finishedTaskSlow } from "../src/finished-task.js";
import {
  copyProgress,
  copyStoredTask,
  STORED_TASK_KEYS,
  TASK_INFO_KEYS,
  TASK_PROGRESS_KEYS,
} from "../src/task-store.js";
import { toTaskInfo } from "../src/task-writer.js";
import { everyFieldTask } from "../src/testing/conformance-support.js";

const full = everyFieldTask("t", 1_000_000);

describe("field-by-field copies", () => {
  it("copyStoredTask keeps every listed field but leaseExpired, and shares no progress", () => {
    const copy = copyStoredTask({ ...full, leaseExpired: true });
    for (const key of STORED_TASK_KEYS) {
      if (key === "leaseExpired") expect(copy).not.toHaveProperty(key);
      else expect(copy[key], key).toEqual(full[key]);
    }
    expect(copy.progress).not.toBe(full.progress);
    const withoutLease = copyStoredTask(full, true);
    expect(withoutLease).not.toHaveProperty("leaseMs");
    expect(Object.keys(withoutLease).length).toBe(Object.keys(full).length - 1);
  });

  it("copyProgress keeps every listed field", () => {
    const progress = full.progress ?? {};
    const copy = copyProgress(progress);
    for (const key of TASK_PROGRESS_KEYS) expect(copy[key], key).toBe(progress[key]);
    expect(copy).not.toBe(progress);
  });

  it("toTaskInfo keeps every listed TaskInfo field and none of the store's own", () => {
    const info = toTaskInfo(full, 0);
    expect(Object.keys(info).sort()).toEqual([...TASK_INFO_KEYS].sort());
    for (const key of TASK_INFO_KEYS) expect(info[key], key).toEqual(full[key]);
  });

  it("finishedTask keeps every listed field but the lease, as the field-by-field path does", () => {
    for (const end of [
      { status: "failed" as const, at: 2_000_000, error: "boom" },
      { status: "complete" as const, at: 2_000_000, resultExpiresAt: 3_000_000 },
    ]) {
      const done = finishedTask(full, end);
      expect(done).toStrictEqual(finishedTaskSlow(full, end));
      for (const key of STORED_TASK_KEYS) {
        if (key === "leaseMs" || key === "leaseExpired") expect(done).not.toHaveProperty(key);
        else expect(done, key).toHaveProperty(key);
      }
    }
  });
});
