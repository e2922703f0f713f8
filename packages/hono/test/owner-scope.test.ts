import { ANONYMOUS_OWNER } from "@mcp-refcache/core";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { refCacheRoutes, withTimeoutFallback } from "../src/index.js";
import { deferred, problemOf, useCaches } from "./helpers.js";

const makeCache = useCaches();

/** An app whose caller is named by the `x-user` header, as an auth middleware would set it. */
function ownedApp(cache: Parameters<typeof refCacheRoutes>[0]) {
  const owner = (c: { req: { header(name: string): string | undefined } }) => c.req.header("x-user");
  const app = new Hono();
  app.route("/refcache", refCacheRoutes(cache, { owner }));
  const gate = deferred<void>();
  app.post(
    "/work",
    withTimeoutFallback(cache, { timeoutMs: 0, owner }, async () => {
      await gate.promise;
      return { secret: "for alice" };
    }),
  );
  return { app, release: () => gate.resolve() };
}

const as = (user: string | undefined, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: user === undefined ? {} : { "x-user": user },
});

describe("owner scope", () => {
  it("each route sees only the caller's tasks and values; others get 404", async () => {
    const cache = makeCache();
    const { app, release } = ownedApp(cache);
    const started = await app.request("/work", as("alice", { method: "POST" }));
    expect(started.status).toBe(202);
    const location = started.headers.get("location") ?? "";
    const refId = decodeURIComponent(location.split("/").at(-1) ?? "");
    expect((await cache.getTask(refId, { owner: "alice" }))?.owner).toBe("alice");

    for (const user of ["bob", undefined]) {
      for (const [method, path] of [
        ["GET", location],
        ["GET", `${location}/events`],
        ["DELETE", location],
        ["GET", `/refcache/refs/${refId}`],
      ] as const) {
        const response = await app.request(path, as(user, { method }));
        expect(response.status, `${method} ${path} as ${user}`).toBe(404);
        await problemOf(response);
      }
      const list = await app.request("/refcache/tasks", as(user));
      if (user === undefined) {
        // The anonymous owner never lists: its references are protected only by their ids.
        expect(list.status).toBe(403);
        expect(await problemOf(list)).toMatchObject({ code: "FORBIDDEN" });
      } else {
        expect(((await list.json()) as { tasks: unknown[] }).tasks).toEqual([]);
      }
    }
    // Bob's DELETE did nothing.
    expect(await cache.getTask(refId, { owner: "alice" })).toMatchObject({
      status: expect.stringMatching(/pending|processing/),
    });

    const aliceList = (await (await app.request("/refcache/tasks", as("alice"))).json()) as {
      tasks: { refId: string }[];
    };
    expect(aliceList.tasks.map((t) => t.refId)).toEqual([refId]);
    release();
    await cache.waitForTask(refId, { timeoutMs: 5000, owner: "alice" });
    const value = await app.request(`/refcache/refs/${refId}`, as("alice"));
    expect(value.status).toBe(200);
    expect(await value.json()).toEqual({ secret: "for alice" });
    expect((await app.request(`/refcache/refs/${refId}`, as("bob"))).status).toBe(404);
  });

  it("server-only entries answer every client exactly as an id that was never used", async () => {
    const cache = makeCache();
    const { app } = ownedApp(cache);
    await cache.registerTask("nightly-report", async () => ({ revenue: 42 }));
    await cache.waitForTask("nightly-report", { timeoutMs: 5000 });
    await cache.set("internal:db", { password: "hunter2" });
    /** Status and problem body of a request, with the ref id blanked out. */
    const answer = async (method: string, path: (id: string) => string, id: string, user: string | undefined) => {
      const response = await app.request(path(id), as(user, { method }));
      return { status: response.status, body: (await response.text()).replaceAll(id, "<id>") };
    };
    const paths = [
      ["GET", (id: string) => `/refcache/tasks/${id}`],
      ["GET", (id: string) => `/refcache/tasks/${id}/events`],
      ["HEAD", (id: string) => `/refcache/tasks/${id}/events`],
      ["DELETE", (id: string) => `/refcache/tasks/${id}`],
      ["GET", (id: string) => `/refcache/refs/${id}`],
    ] as const;
    for (const user of ["session:mallory", undefined]) {
      for (const [method, path] of paths) {
        for (const id of ["nightly-report", "internal:db"]) {
          const seen = await answer(method, path, id, user);
          expect(seen.status, `${method} ${path(id)} as ${user}`).toBe(404);
          expect(seen).toEqual(await answer(method, path, "never-used", user));
        }
      }
    }
    expect(await cache.getTask("nightly-report")).toMatchObject({ status: "complete" });
    expect(await cache.get("internal:db")).toEqual({ password: "hunter2" });
  });

  it("routes without an owner resolver act for the anonymous owner: refs by id, never a list", async () => {
    const cache = makeCache();
    const app = new Hono();
    app.route("/refcache", refCacheRoutes(cache));
    const gate = deferred<void>();
    app.post(
      "/work",
      withTimeoutFallback(cache, { timeoutMs: 0 }, async () => {
        await gate.promise;
        return "anyone holding the id";
      }),
    );
    const started = await app.request("/work", { method: "POST" });
    const location = started.headers.get("location") ?? "";
    const refId = decodeURIComponent(location.split("/").at(-1) ?? "");
    expect((await cache.getTask(refId))?.owner).toBe(ANONYMOUS_OWNER);
    expect((await app.request(location)).status).toBe(200);
    gate.resolve();
    await cache.waitForTask(refId, { timeoutMs: 5000 });
    expect(await (await app.request(`/refcache/refs/${refId}`)).json()).toBe("anyone holding the id");
    const list = await app.request("/refcache/tasks");
    expect(list.status).toBe(403);
    expect(await problemOf(list)).toMatchObject({ code: "FORBIDDEN" });
  });

  it("an owner resolver that returns something else than a string is a 500, not the caller's fault", async () => {
    const cache = makeCache();
    const app = new Hono();
    app.route("/refcache", refCacheRoutes(cache, { owner: () => 42 as unknown as string }));
    const response = await app.request("/refcache/tasks");
    expect(response.status).toBe(500);
    expect(await problemOf(response)).toMatchObject({ code: "INTERNAL_ERROR" });
  });
});
