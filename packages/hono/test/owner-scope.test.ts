import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { refCacheRoutes, withTimeoutFallback } from "../src/index.js";
import { deferred, problemOf, registerHeldTask, useCaches } from "./helpers.js";

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
      const list = (await (await app.request("/refcache/tasks", as(user))).json()) as { tasks: unknown[] };
      expect(list.tasks).toEqual([]);
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

  it("an anonymous caller of a scoped app lists only tasks that belong to nobody", async () => {
    const cache = makeCache();
    const { app } = ownedApp(cache);
    await registerHeldTask(cache, "mine", { owner: "alice" });
    await registerHeldTask(cache, "nobodys");
    const list = (await (await app.request("/refcache/tasks", as(undefined))).json()) as { tasks: { refId: string }[] };
    expect(list.tasks.map((t) => t.refId)).toEqual(["nobodys"]);
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
