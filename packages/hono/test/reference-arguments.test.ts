/**
 * Reference arguments and execute-only values over HTTP: `withTimeoutFallback`'s `refParams` hand the
 * handler the body with references resolved for the caller's owner; the value routes refuse execute-only
 * values; an execute-only handler answers its reference alone.
 */

import { MemoryStore } from "@mcp-refcache/core";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { withTimeoutFallback } from "../src/index.js";
import { mountRoutes, problemOf, TEST_OWNER, testOwner, useCaches } from "./helpers.js";

const makeCache = useCaches();
const Rows = z.array(z.object({ id: z.number() }));

function app(cache: ReturnType<typeof makeCache>) {
  const hono = new Hono();
  hono.post(
    "/count",
    withTimeoutFallback(cache, { timeoutMs: 5_000, owner: testOwner, refParams: { table: Rows } }, (_c, work) => {
      const { table, note } = work.input as { table: { id: number }[]; note?: string };
      return { count: table.length, note: note ?? null };
    }),
  );
  hono.post(
    "/secret",
    withTimeoutFallback(cache, { timeoutMs: 5_000, owner: testOwner, executeOnly: true }, () => ({ token: "t0p" })),
  );
  hono.route("/", mountRoutes(cache));
  return hono;
}

const post = (hono: Hono, path: string, body: unknown) =>
  hono.request(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

describe("withTimeoutFallback with refParams", () => {
  it("hands the handler a referenced value (the part its path names), and plain values as they are", async () => {
    const cache = makeCache();
    await cache.set("big", { rows: [{ id: 1 }, { id: 2 }, { id: 3 }] }, { owner: TEST_OWNER });
    const hono = app(cache);
    const byRef = await post(hono, "/count", { table: { refId: "big", path: "/rows" }, note: "git:deadbeefcafe" });
    expect(byRef.status).toBe(200);
    expect(await byRef.json()).toEqual({ count: 3, note: "git:deadbeefcafe" });
    const inline = await post(hono, "/count", { table: [{ id: 9 }] });
    expect(await inline.json()).toEqual({ count: 1, note: null });
  });

  it("refuses another owner's and an unknown reference alike (404), a bad path or value with 400", async () => {
    const cache = makeCache();
    await cache.set("theirs", { rows: [] }, { owner: "auth:someone-else" });
    await cache.set("mine", { rows: [{ id: "x" }] }, { owner: TEST_OWNER });
    const hono = app(cache);
    const foreign = await post(hono, "/count", { table: { refId: "theirs", path: "/rows" } });
    const unknown = await post(hono, "/count", { table: { refId: "nothing", path: "/rows" } });
    expect([foreign.status, unknown.status]).toEqual([404, 404]);
    const [a, b] = [await problemOf(foreign), await problemOf(unknown)];
    expect(a.code ?? a.type).toEqual(b.code ?? b.type);
    expect(String(a.detail).replace("theirs", "<ref>")).toBe(String(b.detail).replace("nothing", "<ref>"));
    expect((await post(hono, "/count", { table: { refId: "mine", path: "/nope" } })).status).toBe(400);
    expect((await post(hono, "/count", { table: { refId: "mine", path: "/rows" } })).status).toBe(400);
  });
});

describe("withTimeoutFallback with refParams: what the body holds", () => {
  it("refuses with 400, before the handler runs, a body that is no JSON object and a named member its schema refuses", async () => {
    const cache = makeCache();
    let runs = 0;
    const hono = new Hono();
    hono.post(
      "/count",
      withTimeoutFallback(
        cache,
        { timeoutMs: 5_000, owner: testOwner, refParams: { table: Rows, limit: z.number().int().default(10) } },
        (_c, work) => {
          runs++;
          return work.input as never;
        },
      ),
    );
    for (const body of [
      {},
      [1, 2],
      null,
      5,
      "rows",
      { table: "x" },
      { table: [{ id: "1" }] },
      { table: [], limit: 1.5 },
    ]) {
      const response = await post(hono, "/count", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await problemOf(response)).code).toBe("VALIDATION_ERROR");
    }
    // A body sent as a form or as plain text (what another site's page may send without a preflight) is 415.
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""]) {
      const response = await hono.request("/count", {
        method: "POST",
        body: JSON.stringify({ table: [{ id: 1 }] }),
        headers: type === "" ? {} : { "content-type": type },
      });
      expect([type, response.status, (await problemOf(response)).code]).toEqual([type, 415, "UNSUPPORTED_MEDIA_TYPE"]);
    }
    const typed = await hono.request("/count", {
      method: "POST",
      body: JSON.stringify({ table: [{ id: 1 }] }),
      headers: { "content-type": "application/vnd.api+json; charset=utf-8" },
    });
    expect(typed.status).toBe(200);
    expect(runs).toBe(1);
    runs = 0;
    // Each member's issues are named by their path in the body, all of them in one answer.
    const both = await problemOf(await post(hono, "/count", { table: [{ id: "1" }], limit: 1.5 }));
    expect(both).toMatchObject({
      detail: expect.stringMatching(/^Invalid body: table\.0\.id: .*; limit: /),
      issues: [{ path: ["table", 0, "id"] }, { path: ["limit"] }],
    });
    // A member its schema gives a default is given it; other members pass as they are.
    const ok = await post(hono, "/count", { table: [{ id: 1 }], note: { free: true } });
    expect(await ok.json()).toEqual({ table: [{ id: 1 }], limit: 10, note: { free: true } });
    expect(runs).toBe(1);
  });
});

describe("execute-only values over HTTP", () => {
  it("an execute-only handler answers its reference alone; GET /refs, pages and previews refuse it; server code reads it", async () => {
    const cache = makeCache();
    const hono = app(cache);
    const made = await post(hono, "/secret", {});
    expect(made.status).toBe(200);
    const answer = (await made.json()) as { refId: string };
    expect(answer).toEqual({ refId: answer.refId, status: "completed", executeOnly: true });
    const id = encodeURIComponent(answer.refId);
    for (const path of [`/refcache/refs/${id}`, `/refcache/refs/${id}?maxChars=100`, `/refcache/refs/${id}/preview`]) {
      const refused = await hono.request(path);
      expect(refused.status).toBe(403);
      expect(JSON.stringify(await problemOf(refused))).not.toContain("t0p");
    }
    expect(await cache.get(answer.refId)).toEqual({ token: "t0p" });
  });

  it("GET /refs answers another writer's value nested past what core writes as a store fault, not a 500", async () => {
    const levels = 20_000;
    const store = new MemoryStore();
    const data = `${"[".repeat(levels)}1${"]".repeat(levels)}`;
    await store.set("deep", { data, createdAt: Date.now(), version: 1, owner: TEST_OWNER });
    const hono = app(makeCache({ store }));
    const response = await hono.request("/refcache/refs/deep");
    const problem = await problemOf(response);
    expect([response.status, problem.code]).toEqual([503, "STORE_ERROR"]);
    expect(problem.detail).toMatch(/nested deeper than 200 levels/);
  });

  it("GET /refs refuses an execute-only value on its bookkeeping, never decoding its text", async () => {
    // Text that is not JSON: decoding it would answer 503 STORE_ERROR, so a 403 shows it was not decoded.
    const store = new MemoryStore();
    await store.set("held", {
      data: "{not json",
      createdAt: Date.now(),
      version: 1,
      owner: TEST_OWNER,
      executeOnly: true,
    });
    const hono = app(makeCache({ store }));
    const refused = await hono.request("/refcache/refs/held");
    expect([refused.status, (await problemOf(refused)).code]).toEqual([403, "EXECUTE_ONLY"]);
  });
});
