import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/index.js";
import { answerCachedResult, answerCancelTask, answerTaskStatus } from "../src/mcp/index.js";
import { deferred, until, useCaches } from "./helpers.js";

const text = (r: { content: { type: string; text?: string }[] }) => r.content.map((c) => c.text ?? "").join("\n");
const alice = { owner: "alice", pollIntervalMs: 200 };
const bob = { owner: "bob", pollIntervalMs: 200 };

describe("polling tool answers", () => {
  const makeCache = useCaches();

  it("follow a task of the same owner from working to its value", async () => {
    const { cache } = makeCache();
    const gate = deferred<string>();
    await cache.registerTask(
      "job",
      async ({ reportProgress }) => {
        await reportProgress({ current: 1, total: 2 });
        return gate.promise;
      },
      { owner: "alice" },
    );
    await until(() => cache.getTaskStatus("job")?.progress !== undefined);
    const working = await answerTaskStatus(cache, { refId: "job" }, alice);
    expect(working.structuredContent).toMatchObject({ refId: "job", status: "working", progress: { percentage: 50 } });
    expect(text(await answerCachedResult(cache, { refId: "job" }, alice))).toMatch(/^Not ready yet/);
    gate.resolve("the value");
    await until(() => cache.getTaskStatus("job")?.status === "complete");
    expect((await answerTaskStatus(cache, { refId: "job" }, alice)).structuredContent).toMatchObject({
      status: "completed",
    });
    expect((await answerCachedResult(cache, { refId: "job" }, alice)).structuredContent).toEqual({
      refId: "job",
      status: "completed",
      value: "the value",
    });
  });

  it("show another owner nothing, exactly as for an unknown ref, and let it cancel nothing", async () => {
    const { cache } = makeCache();
    const gate = deferred();
    await cache.registerTask("job", () => gate.promise, { owner: "alice" });
    for (const answer of [answerTaskStatus, answerCachedResult, answerCancelTask]) {
      const foreign = await answer(cache, { refId: "job" }, bob);
      const unknown = await answer(cache, { refId: "nope" }, bob);
      expect(foreign.isError).toBe(true);
      expect(foreign.structuredContent).toMatchObject({ error: { kind: "not_found" } });
      expect(text(unknown).replace('"nope"', '"job"')).toBe(text(foreign));
    }
    expect((await cache.getTask("job"))?.status).toBe("processing");
    gate.resolve(1);
  });

  it("cancel running work (its signal aborts) and refuse to cancel finished work", async () => {
    const { cache } = makeCache();
    let aborted = false;
    await cache.registerTask(
      "job",
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () => {
            aborted = true;
            reject(new Error("stopped"));
          }),
        ),
      { owner: "alice" },
    );
    const cancelled = await answerCancelTask(cache, { refId: "job" }, alice);
    expect(cancelled.structuredContent).toMatchObject({ refId: "job", status: "cancelled" });
    await until(() => aborted);
    const again = await answerCancelTask(cache, { refId: "job" }, alice);
    expect([again.isError, text(again)]).toEqual([
      true,
      'The work under refId "job" has already finished (cancelled).',
    ]);
    expect(text(await answerCachedResult(cache, { refId: "job" }, alice))).toContain("was cancelled");
  });

  it("read a plain cached value with no task as completed", async () => {
    const { cache } = makeCache();
    await cache.set("plain", { a: 1 });
    expect((await answerTaskStatus(cache, { refId: "plain" }, { pollIntervalMs: 1 })).structuredContent).toEqual({
      refId: "plain",
      status: "completed",
    });
    expect((await answerCachedResult(cache, { refId: "plain" }, { pollIntervalMs: 1 })).structuredContent).toEqual({
      refId: "plain",
      status: "completed",
      value: { a: 1 },
    });
  });

  it("answer the status of a plain value from its bookkeeping, never reading the value whole", async () => {
    const store = new MemoryStore();
    const wholeReads: string[] = [];
    const get = store.get.bind(store);
    store.get = (key) => {
      wholeReads.push(key);
      return get(key);
    };
    const { cache } = makeCache({ store });
    await cache.set("plain", { rows: Array.from({ length: 1000 }, (_, i) => i) }, { owner: "alice" });
    wholeReads.length = 0;
    expect((await answerTaskStatus(cache, { refId: "plain" }, alice)).structuredContent).toEqual({
      refId: "plain",
      status: "completed",
    });
    expect((await answerTaskStatus(cache, { refId: "plain" }, bob)).structuredContent).toMatchObject({
      error: { kind: "not_found" },
    });
    expect(wholeReads).toEqual([]);
  });

  it("answer bad arguments with an isError result naming the tool and field, never a throw", async () => {
    const { cache } = makeCache();
    const names = { status: "poll", result: "fetch", cancel: "stop" };
    const missing = await answerTaskStatus(cache, {}, { pollIntervalMs: 1, names });
    expect([missing.isError, text(missing)]).toEqual([
      true,
      expect.stringMatching(/^Invalid arguments: Invalid poll arguments: refId/),
    ]);
    const huge = await answerCachedResult(cache, { refId: "x".repeat(10_000) }, { pollIntervalMs: 1 });
    expect(text(huge)).toContain("at most 256");
    const extra = await answerCancelTask(cache, { refId: "a", force: true }, { pollIntervalMs: 1 });
    expect(extra.structuredContent).toMatchObject({ error: { kind: "invalid_input" } });
  });

  it("report a store failure as an unavailable or internal error", async () => {
    const { cache } = makeCache();
    await cache.close();
    const closed = await answerTaskStatus(cache, { refId: "job" }, { pollIntervalMs: 1 });
    expect(closed.structuredContent).toMatchObject({ error: { kind: "unavailable" } });
    const broken = {
      getTask: () => Promise.reject(new Error("socket hang up")),
      get: async () => undefined,
      cancelTask: async () => {
        throw new Error("x");
      },
    };
    const internal = await answerCancelTask(broken as never, { refId: "job" }, { pollIntervalMs: 1 });
    expect([internal.isError, text(internal)]).toEqual([true, "Internal error: socket hang up"]);
  });
});
