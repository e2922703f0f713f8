import type { Clock } from "@mcp-refcache/core";
import { describe, expect, it } from "vitest";
import { mountRoutes, problemOf, registerHeldTask, TEST_OWNER, useCaches } from "./helpers.js";

const makeCache = useCaches();

class ManualClock implements Clock {
  time = 1_700_000_000_000;
  now(): number {
    return this.time;
  }
}

describe("GET /refs/:refId", () => {
  it("answers a finished task's value as JSON", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache);
    const held = await registerHeldTask(cache, "r-1", { result: { rows: [1, 2, 3] } });
    held.release();
    await cache.waitForTask("r-1", { timeoutMs: 5000 });
    const response = await app.request("/refcache/refs/r-1");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("private, no-cache");
    expect(response.headers.get("etag")).toMatch(/^"[^"]+"$/);
    expect(await response.json()).toEqual({ rows: [1, 2, 3] });
  });

  it("answers a value stored with set", async () => {
    const cache = makeCache();
    await cache.set("plain", ["a", null, 1], { owner: TEST_OWNER });
    const response = await mountRoutes(cache).request("/refcache/refs/plain");
    expect(await response.json()).toEqual(["a", null, 1]);
  });

  it("answers 404 for an unknown id", async () => {
    const response = await mountRoutes(makeCache()).request("/refcache/refs/unknown");
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({ code: "REF_NOT_FOUND", refId: "unknown" });
  });

  it("answers 409 with Retry-After while the task runs", async () => {
    const cache = makeCache();
    await registerHeldTask(cache, "r-2");
    const response = await mountRoutes(cache, { retryAfterSeconds: 2 }).request("/refcache/refs/r-2");
    expect(response.status).toBe(409);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await problemOf(response)).toMatchObject({ code: "RESULT_NOT_READY", taskStatus: expect.any(String) });
  });

  it("answers 409 naming the error when the task failed", async () => {
    const cache = makeCache();
    await cache.registerTask(
      "r-3",
      async () => {
        throw new Error("disk full");
      },
      { owner: TEST_OWNER },
    );
    await cache.waitForTask("r-3", { timeoutMs: 5000 });
    const response = await mountRoutes(cache).request("/refcache/refs/r-3");
    expect(response.status).toBe(409);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({ code: "RESULT_UNAVAILABLE", taskStatus: "failed" });
    expect(problem.detail).toContain("disk full");
  });

  it("answers 410 Gone when a completed task's result expired", async () => {
    const clock = new ManualClock();
    const cache = makeCache({ clock });
    await cache.registerTask("r-4", async () => "short-lived", { ttlMs: 1000, owner: TEST_OWNER });
    await cache.waitForTask("r-4", { timeoutMs: 5000 });
    const app = mountRoutes(cache);
    expect((await app.request("/refcache/refs/r-4")).status).toBe(200);
    clock.time += 1001;
    const response = await app.request("/refcache/refs/r-4");
    expect(response.status).toBe(410);
    expect(await problemOf(response)).toMatchObject({
      code: "RESULT_EXPIRED",
      type: "urn:mcp-refcache:problem:result-expired",
      taskStatus: "complete",
      detail: expect.stringMatching(/its result expired at /),
    });
  });

  it("answers 410 Gone for a completed task's result deleted before it expired, saying so", async () => {
    const cache = makeCache();
    await cache.registerTask("r-5", async () => "deleted soon", { ttlMs: 3_600_000, owner: TEST_OWNER });
    await cache.waitForTask("r-5", { timeoutMs: 5000 });
    const app = mountRoutes(cache);
    expect((await app.request("/refcache/refs/r-5", { method: "DELETE" })).status).toBe(204);
    const response = await app.request("/refcache/refs/r-5");
    expect(response.status).toBe(410);
    const problem = await problemOf(response);
    expect(problem.detail).toMatch(/no longer stored \(it was deleted\)/);
    expect(problem.detail).not.toMatch(/expired at/);
  });
});
