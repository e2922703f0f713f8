/**
 * Event streams end with their request: over real HTTP (`@hono/node-server`) HEAD requests and clients
 * that go away leave no listener on the cache, and a reader that never reads holds none once the task ended.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { RefCache } from "@mcp-refcache/core";
import { afterEach, describe, expect, it } from "vitest";
import { deferred, mountRoutes, registerHeldTask, useCaches } from "./helpers.js";

const makeCache = useCaches();
const servers: { close(callback?: () => void): unknown }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** Counts the cache's live change listeners. */
function countListeners(cache: RefCache): () => number {
  let live = 0;
  const subscribe = cache.onTaskChange.bind(cache);
  cache.onTaskChange = (listener) => {
    live++;
    const unsubscribe = subscribe(listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      live--;
      unsubscribe();
    };
  };
  return () => live;
}

/** Serves the routes on 127.0.0.1 and returns the base URL. */
async function listen(cache: RefCache): Promise<string> {
  const app = mountRoutes(cache, { pollIntervalMs: 60_000, keepAliveMs: 300_000 });
  const ready = deferred<AddressInfo>();
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => ready.resolve(info));
  servers.push(server);
  const { port } = await ready.promise;
  return `http://127.0.0.1:${port}`;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe("event streams over real HTTP", () => {
  it("HEAD requests answer the headers and leave no listener", async () => {
    const cache = makeCache();
    const listeners = countListeners(cache);
    const base = await listen(cache);
    const held = await registerHeldTask(cache, "head-job");
    for (let i = 0; i < 200; i++) {
      const response = await fetch(`${base}/refcache/tasks/head-job/events`, { method: "HEAD" });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/event-stream");
    }
    expect(listeners()).toBe(0);
    held.release();
    await cache.waitForTask("head-job", { timeoutMs: 5000 });
    expect(listeners()).toBe(0);
  });

  it("a client that goes away holds no listener", async () => {
    const cache = makeCache();
    const listeners = countListeners(cache);
    const base = await listen(cache);
    const held = await registerHeldTask(cache, "gone-reader");
    const gone = new AbortController();
    const response = await fetch(`${base}/refcache/tasks/gone-reader/events`, { signal: gone.signal });
    expect(response.status).toBe(200);
    await until(() => listeners() === 1);
    gone.abort();
    await until(() => listeners() === 0);
    held.release();
  });

  it("a reader that never reads keeps a bounded backlog and no listener once the task ends", async () => {
    const cache = makeCache();
    const listeners = countListeners(cache);
    const app = mountRoutes(cache, { pollIntervalMs: 60_000, keepAliveMs: 300_000 });
    const held = await registerHeldTask(cache, "stalled");
    const stalled = await app.request("/refcache/tasks/stalled/events"); // its body is never read
    expect(stalled.status).toBe(200);
    for (let i = 1; i <= 500; i++) await cache.updateTaskProgress("stalled", { current: i, total: 500 });
    held.release();
    await cache.waitForTask("stalled", { timeoutMs: 5000 });
    await until(() => listeners() === 0);
    await stalled.body?.cancel();
  });
});
