import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runScenario } from "../src/scenario.js";

describe("harness scenario", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs every kind of call end to end through the core", async () => {
    const lines: string[] = [];
    const run = runScenario({ log: (line) => lines.push(line), stepMs: 150, pollMs: 200 });
    let done = false;
    void run.finally(() => {
      done = true;
    });
    for (let i = 0; i < 500 && !done; i++) await vi.advanceTimersByTimeAsync(50);
    const outcomes = await run;

    expect(outcomes.map((o) => [o.name, o.immediate, o.status])).toEqual([
      ["quick lookup", "complete", "complete"],
      ["invalid query", "failed", "failed"],
      ["long report", "pending", "complete"],
      ["flaky export", "pending", "failed"],
      ["abandoned crawl", "pending", "cancelled"],
    ]);
    expect(outcomes[0]?.value).toEqual({ rows: [1], checksum: 1 });
    expect(outcomes[1]?.error).toBe("query must not be empty");
    expect(outcomes[2]?.value).toEqual({ rows: [1, 4, 9, 16, 25], checksum: 55 });
    expect(outcomes[2]?.observed.at(0)).toBe("processing 20% (batch 1 of 5)");
    expect(outcomes[2]?.observed.at(-1)).toBe("complete");
    expect(outcomes[3]?.error).toBe("upstream timed out at batch 3");
    expect(outcomes[4]?.error).toBe("client cancelled");
    expect(lines.at(-1)).toBe("\n✔ cleaned up 5 finished tasks; 0 left");
  });
});
