/**
 * The value routes through `app.request()`: pages with `Link: rel="next"` followed to the end and joined
 * back exactly, ETag revalidation (304, a new tag after an overwrite), the preview, DELETE by the owner,
 * and every bad parameter as a 400 problem.
 */
import { ANONYMOUS_OWNER } from "@mcp-refcache/core";
import { describe, expect, it } from "vitest";
import { mountRoutes, nextOf, problemOf, registerHeldTask, TEST_OWNER, useCaches } from "./helpers.js";

const makeCache = useCaches();
/** `mountRoutes` acts for TEST_OWNER: values the tests read are stored for it. */
const tester = { owner: TEST_OWNER };
/** A caller the owner resolver names nobody for: the anonymous owner, who reads only its own values. */
const anonymous = { owner: ANONYMOUS_OWNER };
const table = (rows: number) => ({
  rows: Array.from({ length: rows }, (_, id) => ({ id, name: `row ${id}`, score: (id * 7) % 100 })),
});

interface Page {
  refId: string;
  path: string;
  value: unknown;
  offset: number;
  total: number;
  nextCursor?: string;
  partial?: string[];
  partialCursors?: string[];
  version: string;
}

describe("GET /refs/:refId with cursor, path or maxChars", () => {
  it("answers pages with a Link to the next one, joined back into the part exactly", async () => {
    const cache = makeCache({ valueBudget: { maxChars: 2_000 } });
    await cache.set("big", table(3_000), tester);
    const app = mountRoutes(cache);
    let url: string | undefined = "/refcache/refs/big?path=%2Frows";
    const rows: unknown[] = [];
    let pages = 0;
    while (url !== undefined) {
      const response = await app.request(url);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const page = (await response.json()) as Page;
      expect(page.path).toBe("/rows");
      expect(page.offset).toBe(rows.length);
      expect(JSON.stringify(page.value).length).toBeLessThanOrEqual(2_000);
      rows.push(...(page.value as unknown[]));
      const next = nextOf(response);
      expect(next === undefined).toBe(page.nextCursor === undefined);
      if (next !== undefined) expect(new URL(next, "http://x").searchParams.get("cursor")).toBe(page.nextCursor);
      url = next;
      pages++;
    }
    expect(rows).toEqual(table(3_000).rows);
    expect(pages).toBeGreaterThan(10);
  });

  it("follows every Link it gives, for a part under a long key of any characters (by path, or by its cursor in partialCursors where a URL cannot carry the pointer)", async () => {
    const cache = makeCache({ valueBudget: { maxChars: 500 } });
    const app = mountRoutes(cache);
    // The last three by the cursor in partialCursors: a pointer past 8,192 characters is no path, and a URL
    // cannot carry a lone surrogate (URLSearchParams would write U+FFFD).
    const byCursor = ["k".repeat(9_000), "\ud800".repeat(1_500), `${"😀".repeat(3_000)}\udc00`];
    for (const key of ["k".repeat(3_100), "中".repeat(3_000), "a/b~".repeat(1_000), ...byCursor]) {
      const value = { [key]: "x".repeat(3_000) };
      await cache.set("long", value, tester);
      const first = (await (await app.request("/refcache/refs/long?maxChars=500")).json()) as Page;
      const pointer = first.partial?.[0] as string;
      expect(pointer).toBe(`/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`);
      const start: Record<string, string> = byCursor.includes(key)
        ? { cursor: first.partialCursors?.[0] as string }
        : { path: pointer };
      expect(new URLSearchParams(start).toString().length).toBeLessThan(byCursor.includes(key) ? 1_000 : 40_000);
      let url: string | undefined = `/refcache/refs/long?${new URLSearchParams(start)}`;
      let joined = "";
      while (url !== undefined) {
        const response = await app.request(url);
        expect(response.status).toBe(200);
        joined += ((await response.json()) as Page).value as string;
        url = nextOf(response);
      }
      expect(joined).toBe(value[key]);
    }
  });

  it("caps a client's maxChars at the server's budget, and keeps a smaller one in the next link", async () => {
    const cache = makeCache({ valueBudget: { maxChars: 1_000 } });
    await cache.set("big", table(500), tester);
    const app = mountRoutes(cache);
    const huge = (await (await app.request("/refcache/refs/big?path=/rows&maxChars=1000000")).json()) as Page;
    expect(JSON.stringify(huge.value).length).toBeLessThanOrEqual(1_000);
    const small = await app.request("/refcache/refs/big?path=/rows&maxChars=200");
    expect(JSON.stringify(((await small.json()) as Page).value).length).toBeLessThanOrEqual(200);
    expect(nextOf(small)).toMatch(/maxChars=200/);
  });

  it("caps the largest maxChars core takes (2147483647, ten digits) at the budget, not refusing it", async () => {
    const cache = makeCache();
    await cache.set("v", { a: 1 }, tester);
    const response = await mountRoutes(cache).request("/refcache/refs/v?maxChars=2147483647");
    expect(response.status).toBe(200);
  });

  it("pages the whole value when only maxChars is given; the whole value without any", async () => {
    const cache = makeCache({ valueBudget: { maxChars: 500 } });
    await cache.set("big", table(100), tester);
    const app = mountRoutes(cache);
    const page = (await (await app.request("/refcache/refs/big?maxChars=500")).json()) as Page;
    expect(page).toMatchObject({ refId: "big", path: "", partial: ["/rows"] });
    expect(await (await app.request("/refcache/refs/big")).json()).toEqual(table(100));
  });

  it.each([
    ["a malformed cursor", "cursor=nope", /cursor/],
    ["a pointer that does not resolve", "path=/nope", /does not resolve/],
    ["a string that is no pointer", "path=rows", /JSON Pointer/],
    ["maxChars below 64", "maxChars=10", /at least 64/],
    ["maxChars that is no number", "maxChars=lots", /whole number/],
    ["a repeated cursor", "cursor=a&cursor=b", /once/],
    ["an empty cursor", "cursor=", /empty/],
  ])("answers %s with a 400 problem", async (_what, query, detail) => {
    const cache = makeCache();
    await cache.set("big", table(100), tester);
    const response = await mountRoutes(cache).request(`/refcache/refs/big?${query}`);
    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.code).toBe("VALIDATION_ERROR");
    expect(JSON.stringify(problem)).toMatch(detail);
  });

  it("refuses a cursor of a value since overwritten, and a cursor past the end", async () => {
    const cache = makeCache({ valueBudget: { maxChars: 500 } });
    await cache.set("big", table(100), tester);
    const app = mountRoutes(cache);
    const first = await app.request("/refcache/refs/big?path=/rows");
    const next = nextOf(first) as string;
    await cache.set("big", table(100), tester);
    const stale = await app.request(next);
    expect(stale.status).toBe(400);
    expect((await problemOf(stale)).code).toBe("VALIDATION_ERROR");
  });

  it("answers a page of a running task's ref with 409, of an unknown ref with 404", async () => {
    const cache = makeCache();
    await registerHeldTask(cache, "running");
    const app = mountRoutes(cache);
    const running = await app.request("/refcache/refs/running?path=");
    expect(running.status).toBe(409);
    expect((await problemOf(running)).code).toBe("RESULT_NOT_READY");
    expect((await app.request("/refcache/refs/unknown?cursor=abc")).status).toBe(404);
  });
});

describe("ETag", () => {
  it("tags the whole value, a page and a preview; If-None-Match answers 304 until the value is overwritten", async () => {
    const cache = makeCache({ valueBudget: { maxChars: 500 } });
    await cache.set("v", table(50), tester);
    const app = mountRoutes(cache);
    for (const path of ["/refcache/refs/v", "/refcache/refs/v?path=/rows", "/refcache/refs/v/preview"]) {
      const first = await app.request(path);
      expect(first.status).toBe(200);
      const etag = first.headers.get("etag") as string;
      expect(etag).toMatch(/^"[^"]+"$/);
      expect(first.headers.get("cache-control")).toBe("private, no-cache");
      const again = await app.request(path, { headers: { "If-None-Match": `"other", W/${etag}` } });
      expect(again.status).toBe(304);
      expect(again.headers.get("etag")).toBe(etag);
      expect(await again.text()).toBe("");
      expect((await app.request(path, { headers: { "If-None-Match": '"other"' } })).status).toBe(200);
    }
    const before = (await app.request("/refcache/refs/v")).headers.get("etag") as string;
    await cache.set("v", table(50), tester);
    const after = await app.request("/refcache/refs/v", { headers: { "If-None-Match": before } });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(before);
  });
});

describe("GET /refs/:refId/preview", () => {
  it("answers the preview within maxChars (capped at the budget), marking what it leaves out", async () => {
    const cache = makeCache({ valueBudget: { maxChars: 1_000 } });
    await cache.set("big", table(1_000), tester);
    const app = mountRoutes(cache);
    const response = await app.request("/refcache/refs/big/preview?maxChars=300");
    expect(response.status).toBe(200);
    const preview = (await response.json()) as { refId: string; preview: unknown; complete: boolean; chars: number };
    expect(preview).toMatchObject({ refId: "big", complete: false, totalChars: JSON.stringify(table(1_000)).length });
    expect(JSON.stringify(preview.preview).length).toBe(preview.chars);
    expect(preview.chars).toBeLessThanOrEqual(300);
    expect(JSON.stringify(preview.preview)).toContain("omitted");
    const capped = (await (await app.request("/refcache/refs/big/preview?maxChars=99999")).json()) as {
      chars: number;
    };
    expect(capped.chars).toBeLessThanOrEqual(1_000);
    expect((await app.request("/refcache/refs/nothing/preview")).status).toBe(404);
    expect((await app.request("/refcache/refs/big/preview?maxChars=1")).status).toBe(400);
  });
});

describe("owners", () => {
  const owner = { owner: (c: { req: { header(name: string): string | undefined } }) => c.req.header("x-user") };

  it("show pages and previews only to the value's owner: never a server-only value, anonymous only its own", async () => {
    const cache = makeCache({ valueBudget: { maxChars: 500 } });
    await cache.set("alices", table(100), { owner: "alice" });
    await cache.set("servers", table(100));
    await cache.set("anonymous", table(100), anonymous);
    const app = mountRoutes(cache, owner as never);
    const as = (user: string | undefined) => (user === undefined ? {} : { headers: { "x-user": user } });
    for (const path of ["/refcache/refs/alices?path=/rows", "/refcache/refs/alices/preview"]) {
      expect((await app.request(path, as("alice"))).status).toBe(200);
      expect((await app.request(path, as("bob"))).status).toBe(404);
      expect((await app.request(path, as(undefined))).status).toBe(404);
    }
    for (const user of ["alice", undefined]) {
      expect((await app.request("/refcache/refs/servers/preview", as(user))).status).toBe(404);
      expect((await app.request("/refcache/refs/servers?path=/rows", as(user))).status).toBe(404);
    }
    expect((await app.request("/refcache/refs/anonymous/preview", as(undefined))).status).toBe(200);
    expect((await app.request("/refcache/refs/anonymous/preview", as("alice"))).status).toBe(404);
  });

  it("DELETE releases a value its caller owns, and nobody else's", async () => {
    const cache = makeCache();
    await cache.set("alices", { a: 1 }, { owner: "alice" });
    const app = mountRoutes(cache, owner as never);
    const bob = await app.request("/refcache/refs/alices", { method: "DELETE", headers: { "x-user": "bob" } });
    expect(bob.status).toBe(404);
    expect((await problemOf(bob)).code).toBe("REF_NOT_FOUND");
    expect((await app.request("/refcache/refs/alices", { method: "DELETE" })).status).toBe(404);
    expect(await cache.get("alices")).toEqual({ a: 1 });
    const alice = await app.request("/refcache/refs/alices", { method: "DELETE", headers: { "x-user": "alice" } });
    expect(alice.status).toBe(204);
    expect(await cache.get("alices")).toBeUndefined();
    const again = await app.request("/refcache/refs/alices", { method: "DELETE", headers: { "x-user": "alice" } });
    expect(again.status).toBe(404);
  });

  it("DELETE of a running task's ref is refused with 409; the task goes on", async () => {
    const cache = makeCache();
    const held = await registerHeldTask(cache, "running");
    const response = await mountRoutes(cache).request("/refcache/refs/running", { method: "DELETE" });
    expect(response.status).toBe(409);
    expect((await problemOf(response)).code).toBe("KEY_OWNED_BY_TASK");
    expect(held.aborted()).toBe(false);
    held.release();
  });
});
