import { describe, expect, it } from "vitest";
import { refCacheRoutes } from "../src/index.js";
import { mountRoutes, problemOf, registerHeldTask, useCaches } from "./helpers.js";

const makeCache = useCaches();

describe("GET /tasks/:refId", () => {
  it("answers the active task with Retry-After, and the finished one without", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache, { retryAfterSeconds: 3 });
    const held = await registerHeldTask(cache, "job-1");

    const active = await app.request("/refcache/tasks/job-1");
    expect(active.status).toBe(200);
    expect(active.headers.get("retry-after")).toBe("3");
    expect(await active.json()).toMatchObject({ refId: "job-1", status: expect.stringMatching(/pending|processing/) });

    held.release();
    await cache.waitForTask("job-1", { timeoutMs: 5000 });
    const done = await app.request("/refcache/tasks/job-1");
    expect(done.status).toBe(200);
    expect(done.headers.get("retry-after")).toBeNull();
    expect(await done.json()).toMatchObject({ refId: "job-1", status: "complete" });
  });

  it("answers 404 problem+json for an unknown id", async () => {
    const app = mountRoutes(makeCache());
    const response = await app.request("/refcache/tasks/nope");
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({
      type: "urn:mcp-refcache:problem:task-not-found",
      status: 404,
      code: "TASK_NOT_FOUND",
      instance: "/refcache/tasks/nope",
    });
  });
});

describe("DELETE /tasks/:refId", () => {
  it("cancels the task, aborts its work and answers the cancelled task", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache);
    const held = await registerHeldTask(cache, "job-2");

    const response = await app.request("/refcache/tasks/job-2", { method: "DELETE" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ refId: "job-2", status: "cancelled" });
    expect(held.aborted()).toBe(true);
    expect(await cache.getTask("job-2")).toMatchObject({ status: "cancelled" });
  });

  it("answers 409 when the task already finished, and leaves it as it was", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache);
    const held = await registerHeldTask(cache, "job-3", { result: { kept: true } });
    held.release();
    await cache.waitForTask("job-3", { timeoutMs: 5000 });

    const response = await app.request("/refcache/tasks/job-3", { method: "DELETE" });
    expect(response.status).toBe(409);
    expect(await problemOf(response)).toMatchObject({ code: "ILLEGAL_TRANSITION", status: 409, refId: "job-3" });
    expect(await cache.getTask("job-3")).toMatchObject({ status: "complete" });
    expect(await cache.get("job-3")).toEqual({ kept: true });
  });

  it("answers 404 for an unknown id", async () => {
    const app = mountRoutes(makeCache());
    const response = await app.request("/refcache/tasks/ghost", { method: "DELETE" });
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({ code: "TASK_NOT_FOUND" });
  });
});

describe("GET /tasks", () => {
  it("pages through the tasks with cursor and limit, filtered by status", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache);
    const helds = [];
    for (let i = 0; i < 5; i++) helds.push(await registerHeldTask(cache, `list-${i}`));
    helds[0]?.release();
    helds[1]?.release();
    await cache.waitForTask("list-0", { timeoutMs: 5000 });
    await cache.waitForTask("list-1", { timeoutMs: 5000 });

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({ limit: "2", status: "pending,processing" });
      if (cursor !== undefined) query.set("cursor", cursor);
      const response = await app.request(`/refcache/tasks?${query}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as { tasks: { refId: string; status: string }[]; nextCursor?: string };
      expect(page.tasks.length).toBeLessThanOrEqual(2);
      for (const task of page.tasks) expect(["pending", "processing"]).toContain(task.status);
      seen.push(...page.tasks.map((t) => t.refId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 10);
    expect(seen.sort()).toEqual(["list-2", "list-3", "list-4"]);
    expect(pages).toBeGreaterThanOrEqual(2);

    const complete = await app.request("/refcache/tasks?status=complete");
    const body = (await complete.json()) as { tasks: { refId: string }[] };
    expect(body.tasks.map((t) => t.refId).sort()).toEqual(["list-0", "list-1"]);
  });

  it("accepts status given several times", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache);
    await registerHeldTask(cache, "twice");
    const response = await app.request("/refcache/tasks?status=complete&status=pending&status=processing");
    expect(response.status).toBe(200);
    expect(((await response.json()) as { tasks: unknown[] }).tasks).toHaveLength(1);
  });
});

describe("unknown routes", () => {
  it("answer 404 problem+json when the routes app is served on its own", async () => {
    const app = refCacheRoutes(makeCache());
    const response = await app.request("/nothing/here");
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toMatchObject({ code: "ROUTE_NOT_FOUND" });
  });
});
