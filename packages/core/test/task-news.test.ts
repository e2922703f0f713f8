/** isTaskNews: what a push transport tells a reader of a task's changes (Hono SSE, MCP subscriptions). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTaskNews, type TaskInfo, type TaskStatus } from "../src/index.js";
import { progress, time } from "./task-arbitraries.js";

const STATUSES: readonly TaskStatus[] = ["pending", "processing", "complete", "failed", "cancelled"];
const stage = (status: TaskStatus) => (status === "pending" ? 0 : status === "processing" ? 1 : 2);

const base: TaskInfo = { refId: "t", status: "processing", startedAt: 1, updatedAt: 100, retryCount: 0, runId: "r" };

/** States of one run of one task. */
const states = fc
  .record({ status: fc.constantFrom(...STATUSES), updatedAt: time, progress: fc.option(progress, { nil: undefined }) })
  .map(({ status, updatedAt, progress }): TaskInfo => ({ ...base, status, updatedAt, ...(progress && { progress }) }));

describe("isTaskNews", () => {
  it("tells a later stage whatever the clocks say, never an earlier one", () => {
    fc.assert(
      fc.property(states, states, (next, last) => {
        const forward = stage(next.status) - stage(last.status);
        if (forward !== 0) expect(isTaskNews(next, last)).toBe(forward > 0);
      }),
    );
  });

  it("never tells the state the reader has, nor an older one of the same stage", () => {
    fc.assert(
      fc.property(states, fc.integer({ min: 1, max: 1_000 }), (state, older) => {
        expect(isTaskNews({ ...state }, state)).toBe(false);
        expect(isTaskNews({ ...state, updatedAt: state.updatedAt - older }, state)).toBe(false);
      }),
    );
  });

  it("tells the state of a later run from its first, never a late one of an earlier run", () => {
    fc.assert(
      fc.property(states, states, fc.nat(5), fc.integer({ min: 1, max: 10_000 }), (old, state, retry, later) => {
        // A later run: registered once more (retryCount) and started after the earlier one.
        const older = { ...old, retryCount: retry, startedAt: 1_000 };
        const newer = { ...state, runId: "r2", retryCount: retry + 1, startedAt: 1_000 + later };
        expect(isTaskNews(newer, older)).toBe(true);
        expect(isTaskNews(older, newer)).toBe(false);
        // The finished task was removed and its id registered again: the count restarted, the start is later.
        expect(isTaskNews({ ...newer, retryCount: 0 }, { ...older, retryCount: retry + 3 })).toBe(true);
        // A writer's clock behind: the count still says which run is later.
        expect(isTaskNews({ ...newer, startedAt: 1 }, older)).toBe(true);
      }),
    );
    // The pending state of a new run, read while the reader knew the old run as processing.
    expect(isTaskNews({ ...base, runId: "r2", status: "pending", retryCount: 1, startedAt: 200 }, base)).toBe(true);
  });

  it("tells two progress updates written in the same millisecond", () => {
    const first = { ...base, progress: { current: 1, total: 3, message: "one" } };
    const second = { ...base, progress: { current: 2, total: 3, message: "two" } };
    expect(isTaskNews(second, first)).toBe(true);
    // A terminal state written on a clock behind the runner's still ends the story.
    expect(isTaskNews({ ...base, status: "complete", updatedAt: 50 }, first)).toBe(true);
  });
});
