/**
 * The tables and defaults core exports (TASK_TRANSITIONS, TERMINAL_STATUSES, ErrorCode, systemClock,
 * REF_ID_PATTERN) are shared by every cache in the process: a caller changing one at run time (the
 * `readonly` types bind only at compile time) must not change how any cache behaves.
 */
import { describe, expect, it } from "vitest";
import {
  ErrorCode,
  isTerminalStatus,
  REF_ID_PATTERN,
  RefCache,
  RefIdSchema,
  systemClock,
  type TaskStatus,
  TERMINAL_STATUSES,
} from "../src/index.js";
import { canTransition, TASK_TRANSITIONS } from "../src/store-kit.js";

/** Runs `change`; whether it threw (a frozen object refuses in strict mode) does not matter. */
const attempt = (change: () => unknown): void => {
  try {
    change();
  } catch {
    // refused: the point
  }
};

describe("exported tables", () => {
  it("cannot be changed at run time to change what a cache does", async () => {
    attempt(() => (TASK_TRANSITIONS.complete as TaskStatus[]).push("processing"));
    attempt(() => {
      (TASK_TRANSITIONS as Record<string, readonly TaskStatus[]>).failed = ["processing"];
    });
    attempt(() => (TERMINAL_STATUSES as TaskStatus[]).splice(0));
    attempt(() => {
      (ErrorCode as Record<string, string>).Validation = "OOPS";
    });
    attempt(() => {
      (systemClock as { now: () => number }).now = () => 0;
    });
    attempt(() => REF_ID_PATTERN.compile(".*"));
    attempt(() => {
      REF_ID_PATTERN.lastIndex = 5;
    });

    expect(canTransition("complete", "processing")).toBe(false);
    expect(canTransition("failed", "processing")).toBe(false);
    expect(TASK_TRANSITIONS.complete).toEqual([]);
    expect(TERMINAL_STATUSES).toEqual(["complete", "failed", "cancelled"]);
    expect(isTerminalStatus("complete")).toBe(true);
    expect(ErrorCode.Validation).toBe("VALIDATION_ERROR");
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1_000);
    expect(RefIdSchema.safeParse("a b").success).toBe(false);
    expect(RefIdSchema.safeParse("-x").success).toBe(false);

    const cache = new RefCache();
    const id = cache.newRefId();
    await cache.registerTask(id, { cancel() {} });
    await cache.completeTask(id, 1);
    await expect(cache.updateTaskProgress(id, { current: 1 })).rejects.toMatchObject({ code: "ILLEGAL_TRANSITION" });
    expect(Math.abs(((await cache.getTask(id))?.updatedAt ?? 0) - Date.now())).toBeLessThan(1_000);
    await expect(cache.set("a b", 1)).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await cache.close();
  });
});
