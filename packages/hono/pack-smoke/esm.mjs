/**
 * Smoke of the packed @mcp-refcache/hono (run by scripts/pack-smoke.mjs in a scratch project): Hono's
 * `app.request()` against the routes and `withTimeoutFallback` — 200 in time, else 202 with a Location
 * that the task route answers, and an RFC 9457 problem for an unknown task.
 */
import assert from "node:assert/strict";
import { RefCache } from "@mcp-refcache/core";
import { refCacheRoutes, withTimeoutFallback } from "@mcp-refcache/hono";
import { Hono } from "hono";

const cache = new RefCache({ name: "smoke" });
let release;
const gate = new Promise((resolve) => {
  release = resolve;
});
const app = new Hono().route("/refcache", refCacheRoutes(cache));
app.get(
  "/fast",
  withTimeoutFallback(cache, { timeoutMs: 5_000 }, async () => ({ rows: 3 })),
);
app.get(
  "/slow",
  withTimeoutFallback(cache, { timeoutMs: 1 }, async () => {
    await gate;
    return { rows: 7 };
  }),
);

try {
  const fast = await app.request("/fast");
  assert.equal(fast.status, 200);
  assert.deepEqual(await fast.json(), { rows: 3 });

  const slow = await app.request("/slow");
  assert.equal(slow.status, 202);
  const location = slow.headers.get("location");
  assert.match(location ?? "", /^\/refcache\/tasks\//);
  const task = await app.request(location);
  assert.equal(task.status, 200);
  release();

  const unknown = await app.request("/refcache/tasks/smoke:unknown");
  assert.equal(unknown.status, 404);
  assert.match(unknown.headers.get("content-type") ?? "", /^application\/problem\+json/);
} finally {
  release();
  await cache.close();
}
console.log("hono: 200 in time, 202 + Location followed, 404 problem+json");
