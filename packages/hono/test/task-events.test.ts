import { createMemoryStores, RefCache } from "@mcp-refcache/core";
import { describe, expect, it } from "vitest";
import {
  deferred,
  mountRoutes,
  parseSse,
  problemOf,
  readTaskEvents,
  sseReader,
  TEST_OWNER,
  useCaches,
} from "./helpers.js";

const makeCache = useCaches();

describe("GET /tasks/:refId/events", () => {
  it("sends the current state, then every change in order, and ends after the terminal one", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache, { pollIntervalMs: 10_000 });
    const step = [deferred<void>(), deferred<void>(), deferred<void>()];
    await cache.registerTask(
      "ev-1",
      async ({ reportProgress }) => {
        for (let i = 0; i < 3; i++) {
          await step[i]?.promise;
          await reportProgress({ current: i + 1, total: 3, message: `step ${i + 1}` });
        }
        return "done";
      },
      { owner: TEST_OWNER },
    );

    const response = await app.request("/refcache/tasks/ev-1/events");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = sseReader(response);
    const first = await reader.next();
    expect(first?.id).toBe("0");
    expect(JSON.parse(first?.data ?? "")).toMatchObject({ refId: "ev-1" });

    const seen: { event: string; current?: number; status: string }[] = [];
    for (const gate of step) gate.resolve();
    for (;;) {
      const event = await reader.next();
      if (event === undefined) break;
      const task = JSON.parse(event.data);
      seen.push({ event: event.event, status: task.status, current: task.progress?.current });
    }
    // The stream ended by itself, after the terminal event.
    expect(seen.at(-1)).toMatchObject({ event: "complete", status: "complete", current: 3 });
    const currents = seen.map((s) => s.current).filter((c) => c !== undefined);
    expect(currents).toEqual([...currents].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(new Set(currents)).toEqual(new Set([1, 2, 3]));
    for (const s of seen) expect(s.event).toBe(s.status);
  });

  it("keeps a silent stream open with comment lines, which carry no event", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache, { pollIntervalMs: 10_000, keepAliveMs: 20 });
    const gate = deferred<void>();
    await cache.registerTask(
      "ev-quiet",
      async () => {
        await gate.promise;
        return "late";
      },
      { owner: TEST_OWNER },
    );
    const reader = (await app.request("/refcache/tasks/ev-quiet/events")).body?.getReader();
    if (reader === undefined) throw new Error("no body");
    const decoder = new TextDecoder();
    let text = "";
    while ((text.match(/^: keep-alive$/gm) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended early: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
    gate.resolve();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value);
    expect(parseSse(text).map((e) => e.event)).toEqual(["processing", "complete"]);
  });

  it("a client that connects after the end gets the terminal state, and the stream ends", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache);
    await cache.registerTask("ev-2", async () => "quick", { owner: TEST_OWNER });
    await cache.waitForTask("ev-2", { timeoutMs: 5000 });
    const events = await readTaskEvents(await app.request("/refcache/tasks/ev-2/events"));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: "complete", task: { refId: "ev-2", status: "complete" } });
  });

  it("a reconnecting client gets the current state first", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache);
    const gate = deferred<void>();
    await cache.registerTask(
      "ev-3",
      async ({ reportProgress }) => {
        await reportProgress({ current: 1, total: 2 });
        await gate.promise;
        return 1;
      },
      { owner: TEST_OWNER },
    );
    const firstConnection = sseReader(await app.request("/refcache/tasks/ev-3/events"));
    await firstConnection.next();
    await firstConnection.cancel();
    await cache.updateTaskProgress("ev-3", { current: 2, total: 2 });

    const again = sseReader(await app.request("/refcache/tasks/ev-3/events"));
    const current = JSON.parse((await again.next())?.data ?? "");
    expect(current).toMatchObject({ status: "processing", progress: { current: 2, total: 2 } });
    gate.resolve();
    let last: string | undefined;
    for (let e = await again.next(); e !== undefined; e = await again.next()) last = e.event;
    expect(last).toBe("complete");
  });

  it("unsubscribes from the cache when the client goes away", async () => {
    // A real RefCache that counts its change listeners.
    class CountingCache extends RefCache {
      listeners = 0;
      override onTaskChange(listener: Parameters<RefCache["onTaskChange"]>[0]): () => void {
        this.listeners++;
        const off = super.onTaskChange(listener);
        return () => {
          this.listeners--;
          off();
        };
      }
    }
    const cache = new CountingCache({ name: "counting" });
    try {
      const app = mountRoutes(cache, { pollIntervalMs: 10_000 });
      const gate = deferred<void>();
      await cache.registerTask("ev-4", async () => gate.promise, { owner: TEST_OWNER });
      const reader = sseReader(await app.request("/refcache/tasks/ev-4/events"));
      await reader.next();
      expect(cache.listeners).toBe(1);
      await reader.cancel();
      for (let i = 0; i < 100 && cache.listeners > 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(cache.listeners).toBe(0);
      gate.resolve();
    } finally {
      await cache.close();
    }
  });

  it("ends with the terminal state written by an instance whose clock is behind the runner's", async () => {
    // Two instances over one store: the runner's clock an hour ahead of the one that cancels (or a clock
    // stepped back). Timestamps are each writer's own, for display: the stream must not order by them.
    const stores = createMemoryStores();
    const hour = 3_600_000;
    const runner = makeCache({ ...stores, clock: { now: () => Date.now() + hour } });
    const other = makeCache({ ...stores });
    for (const [label, app] of [
      ["the runner", mountRoutes(runner, { pollIntervalMs: 20 })],
      ["the other instance", mountRoutes(other, { pollIntervalMs: 20 })],
    ] as const) {
      const refId = `ev-skew-${label.length}`;
      await runner.registerTask(refId, {}, { owner: TEST_OWNER });
      await runner.updateTaskProgress(refId, { current: 1, total: 2 });
      const reader = sseReader(await app.request(`/refcache/tasks/${refId}/events`));
      expect((await reader.next())?.event, label).toBe("processing");
      await other.cancelTask(refId, "stop");
      const events: string[] = [];
      for (let event = await reader.next(); event !== undefined; event = await reader.next()) events.push(event.event);
      expect(events, label).toEqual(["cancelled"]);
    }
  });

  it("answers 404 before streaming for an unknown task", async () => {
    const app = mountRoutes(makeCache());
    const response = await app.request("/refcache/tasks/none/events");
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({ code: "TASK_NOT_FOUND" });
  });
});
