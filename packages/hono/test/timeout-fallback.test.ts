import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { refCacheRoutes, withTimeoutFallback } from "../src/index.js";
import { deferred, problemOf, readTaskEvents, useCaches } from "./helpers.js";

const makeCache = useCaches();

/** What Workers hand to `fetch` as its third argument. */
function executionContext() {
  const kept: Promise<unknown>[] = [];
  return { kept, ctx: { waitUntil: (p: Promise<unknown>) => kept.push(p), passThroughOnException() {}, props: {} } };
}

describe("withTimeoutFallback", () => {
  it("answers 200 with the handler's JSON when it finishes in time", async () => {
    const cache = makeCache();
    const app = new Hono();
    app.get(
      "/sum",
      withTimeoutFallback(cache, { timeoutMs: 5000 }, (c) => ({ sum: Number(c.req.query("a")) + 2 })),
    );
    const response = await app.request("/sum?a=40");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sum: 42 });
    const contentLocation = response.headers.get("content-location") ?? "";
    expect(contentLocation).toMatch(/^\/refcache\/refs\/.+/);
    const refId = decodeURIComponent(contentLocation.split("/").at(-1) ?? "");
    expect(await cache.get(refId)).toEqual({ sum: 42 });
  });

  it("answers 202 with Location, Retry-After and the task when the work takes longer; the work goes on", async () => {
    const cache = makeCache();
    const app = new Hono();
    app.route("/api/refcache", refCacheRoutes(cache));
    const gate = deferred<void>();
    app.post(
      "/report",
      withTimeoutFallback(
        cache,
        { timeoutMs: 10, basePath: "/api/refcache", retryAfterSeconds: 5 },
        async (_c, { reportProgress }) => {
          await reportProgress({ current: 1, total: 2, message: "half" });
          await gate.promise;
          return { report: "ready" };
        },
      ),
    );

    const response = await app.request("/report", { method: "POST" });
    expect(response.status).toBe(202);
    expect(response.headers.get("retry-after")).toBe("5");
    const location = response.headers.get("location") ?? "";
    expect(location).toMatch(/^\/api\/refcache\/tasks\/.+/);
    const body = (await response.json()) as { refId: string; status: string };
    expect(location).toBe(`/api/refcache/tasks/${encodeURIComponent(body.refId)}`);
    expect(["pending", "processing"]).toContain(body.status);

    const polled = await app.request(location);
    expect(polled.status).toBe(200);
    expect(await polled.json()).toMatchObject({ refId: body.refId, progress: { current: 1, total: 2 } });

    gate.resolve();
    const events = await readTaskEvents(await app.request(`${location}/events`));
    expect(events.at(-1)?.event).toBe("complete");
    const value = await app.request(`/api/refcache/refs/${encodeURIComponent(body.refId)}`);
    expect(await value.json()).toEqual({ report: "ready" });
  });

  it("hands the running work to executionCtx.waitUntil, settling once the result is stored", async () => {
    const cache = makeCache();
    const app = new Hono();
    const gate = deferred<void>();
    app.post(
      "/slow",
      withTimeoutFallback(cache, { timeoutMs: 0 }, async () => {
        await gate.promise;
        return "kept alive";
      }),
    );
    const { kept, ctx } = executionContext();
    const response = await app.request("/slow", { method: "POST" }, {}, ctx);
    expect(response.status).toBe(202);
    expect(kept).toHaveLength(1);
    const { refId } = (await response.json()) as { refId: string };
    let settled = false;
    void kept[0]?.then(() => {
      settled = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    gate.resolve();
    await kept[0];
    expect(await cache.getTask(refId)).toMatchObject({ status: "complete" });
    expect(await cache.get(refId)).toBe("kept alive");
  });

  it("does not use waitUntil when it finishes in time, and works where Hono has no executionCtx", async () => {
    const cache = makeCache();
    const app = new Hono();
    app.get(
      "/fast",
      withTimeoutFallback(cache, { timeoutMs: 5000 }, () => "fast"),
    );
    const { kept, ctx } = executionContext();
    expect((await app.request("/fast", {}, {}, ctx)).status).toBe(200);
    expect(kept).toHaveLength(0);
    expect((await app.request("/fast")).status).toBe(200);
  });

  it("passes an abort signal that DELETE /tasks/:refId fires", async () => {
    const cache = makeCache();
    const app = new Hono();
    app.route("/refcache", refCacheRoutes(cache));
    const aborted = deferred<string>();
    app.post(
      "/long",
      withTimeoutFallback(cache, { timeoutMs: 0 }, (_c, { signal }) => {
        return new Promise((_resolve, reject) => {
          signal.addEventListener("abort", () => {
            aborted.resolve("aborted");
            reject(new Error("stopped"));
          });
        });
      }),
    );
    const response = await app.request("/long", { method: "POST" });
    const location = response.headers.get("location") ?? "";
    const cancelled = await app.request(location, { method: "DELETE" });
    expect(cancelled.status).toBe(200);
    expect(await aborted.promise).toBe("aborted");
    expect(await (await app.request(location)).json()).toMatchObject({ status: "cancelled" });
  });

  it("answers 500 problem+json when the work fails in time, and the task records the failure", async () => {
    const cache = makeCache();
    const app = new Hono();
    app.get(
      "/broken",
      withTimeoutFallback(cache, { timeoutMs: 5000 }, () => {
        throw new Error("upstream said no");
      }),
    );
    const response = await app.request("/broken");
    expect(response.status).toBe(500);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({ code: "TASK_FAILED", detail: "upstream said no" });
    expect(await cache.getTask(problem.refId as string)).toMatchObject({ status: "failed", error: "upstream said no" });
  });

  it("lets the handler answer with an HTTPException", async () => {
    const cache = makeCache();
    const app = new Hono();
    app.get(
      "/teapot",
      withTimeoutFallback(cache, { timeoutMs: 5000 }, () => {
        throw new HTTPException(418, { message: "short and stout" });
      }),
    );
    const response = await app.request("/teapot");
    expect(response.status).toBe(418);
    expect(await response.text()).toBe("short and stout");
  });

  it("takes a cache factory, called once on the first request (Workers forbid making one at module scope)", async () => {
    let made = 0;
    const factory = () => {
      made++;
      return makeCache();
    };
    const app = new Hono();
    app.route("/refcache", refCacheRoutes(factory));
    app.get(
      "/quick",
      withTimeoutFallback(factory, { timeoutMs: 5000 }, () => "quick"),
    );
    expect(made).toBe(0);
    const answered = await app.request("/quick");
    expect(answered.status).toBe(200);
    // The routes read the value the handler stored: both use the factory's one cache.
    const stored = await app.request(answered.headers.get("content-location") ?? "");
    expect(await stored.json()).toBe("quick");
    expect(made).toBe(1);

    const broken = new Hono().get(
      "/x",
      withTimeoutFallback((() => ({})) as never, { timeoutMs: 0 }, () => 1),
    );
    expect((await broken.request("/x")).status).toBe(500);
  });

  it("refuses bad options when it is built", () => {
    const cache = makeCache();
    const handler = () => 1;
    expect(() => withTimeoutFallback(cache, { timeoutMs: -1 }, handler)).toThrow(/timeoutMs/);
    expect(() => withTimeoutFallback(cache, { timeoutMs: 1, basePath: "no-slash" }, handler)).toThrow(/basePath/);
    expect(() => withTimeoutFallback(cache, { timeoutMs: 1, extra: true } as never, handler)).toThrow(/extra/);
    expect(() => refCacheRoutes(cache, { pollIntervalMs: 0 })).toThrow(/pollIntervalMs/);
    expect(() => refCacheRoutes(cache, { keepAliveMs: 1.5 })).toThrow(/keepAliveMs/);
    expect(() => refCacheRoutes({} as never)).toThrow(/cache/);
  });
});
