import { describe, expect, it } from "vitest";
import { runToolCall } from "../src/mcp/index.js";
import { deferred, until, useCaches } from "./helpers.js";

describe("runToolCall", () => {
  const makeCache = useCaches();

  it("answers inline when the work finishes within timeoutMs", async () => {
    const { cache } = makeCache();
    const outcome = await runToolCall(cache, async () => ({ rows: 3 }), { timeoutMs: 1000, refId: "fast" });
    expect(outcome).toMatchObject({ kind: "complete", refId: "fast", value: { rows: 3 } });
    expect(outcome.result.structuredContent).toEqual({ rows: 3 });
    expect(await cache.get("fast")).toEqual({ rows: 3 });
  });

  it("answers with a pending reference when the work is slow, and the work goes on", async () => {
    const { cache } = makeCache();
    const gate = deferred<string>();
    const outcome = await runToolCall(
      cache,
      async ({ reportProgress }) => {
        await reportProgress({ current: 1, total: 2 });
        return gate.promise;
      },
      { timeoutMs: 5, pollIntervalMs: 300 },
    );
    expect(outcome.kind).toBe("pending");
    expect(outcome.result.structuredContent).toMatchObject({
      refId: outcome.refId,
      status: "working",
      pollIntervalMs: 300,
    });
    gate.resolve("late");
    await until(() => cache.getTaskStatus(outcome.refId as string)?.status === "complete");
    expect(await cache.get(outcome.refId as string)).toBe("late");
  });

  it("turns the work's error into an isError result, not a throw", async () => {
    const { cache } = makeCache();
    const outcome = await runToolCall(
      cache,
      () => {
        throw new Error("bad query");
      },
      { timeoutMs: 1000, refId: "broken" },
    );
    expect(outcome.kind).toBe("error");
    expect(outcome.result).toMatchObject({
      isError: true,
      content: [{ text: 'The work under refId "broken" failed: bad query' }],
    });
  });

  it("turns a busy ref id into a clear error and leaves the running task alone", async () => {
    const { cache } = makeCache();
    const gate = deferred();
    await cache.registerTask("busy", () => gate.promise);
    const outcome = await runToolCall(cache, () => 1, { timeoutMs: 10, refId: "busy" });
    expect(outcome.result.isError).toBe(true);
    expect(outcome.result.structuredContent?.error).toMatchObject({ kind: "busy" });
    expect(cache.getTaskStatus("busy")?.status).toBe("processing");
    gate.resolve(2);
  });

  it("rejects bad options with a ValidationError naming them", async () => {
    const { cache } = makeCache();
    await expect(runToolCall(cache, () => 1, { timeoutMs: -1 })).rejects.toThrow(/tool call options: timeoutMs/);
  });
});
