// Two apps (two RefCaches, as two instances behind a load balancer) sharing one pair of stores serve one
// task: whichever instance runs the work, the other answers for it.
import { createMemoryStores, type MemoryTaskStore, type RefCacheOptions, type TaskStore } from "@mcp-refcache/core";
import type { StoredTask } from "@mcp-refcache/core/store";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { refCacheRoutes, withTimeoutFallback } from "../src/index.js";
import { deferred, readTaskEvents, testOwner, useCaches } from "./helpers.js";

const makeCache = useCaches();

/** The memory task store without change notifications, like a store that can only be read. */
function withoutSubscribe(inner: MemoryTaskStore): TaskStore {
  return {
    get: (refId) => inner.get(refId),
    create: (task, options, origin) => inner.create(task, options, origin),
    update: (task: StoredTask, version, result, origin) => inner.update(task, version, result, origin),
    list: (query) => inner.list(query),
    listExpiredLeases: (limit) => inner.listExpiredLeases(limit),
    removeFinished: (olderThanMs, limit) => inner.removeFinished(olderThanMs, limit),
  };
}

function twoInstances(share: (stores: ReturnType<typeof createMemoryStores>) => RefCacheOptions) {
  const stores = createMemoryStores();
  const gate = deferred<void>();
  let aborted = false;
  const instance = (name: string) => {
    const cache = makeCache({ name, ...share(stores) });
    const app = new Hono();
    app.route("/refcache", refCacheRoutes(cache, { pollIntervalMs: 20, owner: testOwner }));
    app.post(
      "/work",
      withTimeoutFallback(cache, { timeoutMs: 0, owner: testOwner }, async (_c, { signal, reportProgress }) => {
        signal.addEventListener("abort", () => {
          aborted = true;
          gate.reject(new Error("cancelled"));
        });
        await reportProgress({ current: 1, total: 2 });
        await gate.promise;
        await reportProgress({ current: 2, total: 2 });
        return { from: name };
      }),
    );
    return app;
  };
  return {
    first: instance("first"),
    second: instance("second"),
    release: () => gate.resolve(),
    aborted: () => aborted,
  };
}

describe.each([
  ["a store that notifies changes", (s: ReturnType<typeof createMemoryStores>) => s],
  [
    "a store without notifications (the event stream polls)",
    (s: ReturnType<typeof createMemoryStores>) => ({
      store: s.store,
      taskStore: withoutSubscribe(s.taskStore),
      taskLeaseMs: 300,
    }),
  ],
])("two apps sharing %s", (_label, share) => {
  it("one starts the task, the other reads, streams and lists it and serves its value", async () => {
    const { first, second, release } = twoInstances(share);
    const started = await first.request("/work", { method: "POST" });
    expect(started.status).toBe(202);
    const location = started.headers.get("location") ?? "";
    const { refId } = (await started.json()) as { refId: string };

    const seen = await second.request(location);
    expect(seen.status).toBe(200);
    expect(await seen.json()).toMatchObject({ refId, status: "processing" });
    const listed = (await (await second.request("/refcache/tasks?status=processing")).json()) as {
      tasks: { refId: string }[];
    };
    expect(listed.tasks.map((t) => t.refId)).toEqual([refId]);

    const stream = second.request(`${location}/events`);
    release();
    const events = await readTaskEvents(await stream);
    expect(events.at(-1)).toMatchObject({ event: "complete", task: { progress: { current: 2 } } });

    const value = await second.request(`/refcache/refs/${encodeURIComponent(refId)}`);
    expect(await value.json()).toEqual({ from: "first" });
  });

  it("a DELETE on the other app cancels the work where it runs", async () => {
    const { first, second, aborted } = twoInstances(share);
    const started = await first.request("/work", { method: "POST" });
    const location = started.headers.get("location") ?? "";
    const cancelled = await second.request(location, { method: "DELETE" });
    expect(cancelled.status).toBe(200);
    for (let i = 0; i < 200 && !aborted(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(aborted()).toBe(true);
    expect(await (await first.request(location)).json()).toMatchObject({ status: "cancelled" });
  });
});
