/**
 * The value routes under odd keys and odd queries, through app.request(): a value with long, lone-surrogate
 * and URL-special keys pages back exactly by Link headers and partialCursors; odd queries and ids are 4xx
 * problems, never a 500.
 */
import { oddKeysValue } from "@mcp-refcache/core/testing";
import { describe, expect, it } from "vitest";
import { mountRoutes, nextOf, TEST_OWNER, useCaches } from "./helpers.js";

const makeCache = useCaches();
const tester = { owner: TEST_OWNER };
describe("value routes under odd keys and queries", () => {
  it("pages back odd keys by Link and partialCursors", async () => {
    const cache = makeCache({ valueBudget: { maxChars: 300 } });
    await cache.set("v", oddKeysValue(), tester);
    const app = mountRoutes(cache);
    const readPart = async (start: string): Promise<unknown> => {
      const pages: { value: unknown; partial?: string[]; partialCursors?: string[] }[] = [];
      let url: string | undefined = start;
      while (url !== undefined) {
        const r = await app.request(url);
        expect(r.status, `${url}: ${await r.clone().text()}`).toBe(200);
        pages.push(await r.json());
        url = nextOf(r);
      }
      const v0 = pages[0]?.value;
      let whole: unknown;
      if (Array.isArray(v0)) whole = pages.flatMap((p) => p.value as unknown[]);
      else if (v0 && typeof v0 === "object") {
        const o: Record<string, unknown> = {};
        for (const p of pages) Object.assign(o, p.value);
        whole = o;
      } else whole = pages.map((p) => p.value).join("");
      for (const p of pages)
        for (const [j, pointer] of (p.partial ?? []).entries()) {
          const last = pointer
            .slice(pointer.lastIndexOf("/") + 1)
            .replaceAll("~1", "/")
            .replaceAll("~0", "~");
          const inner = await readPart(
            `/refcache/refs/v?cursor=${encodeURIComponent(p.partialCursors?.[j] as string)}`,
          );
          (whole as Record<string, unknown>)[last] = inner;
        }
      return whole;
    };
    expect(await readPart("/refcache/refs/v?path=")).toEqual(oddKeysValue());
  });

  it("odd query values are 4xx problems, never 500", async () => {
    const cache = makeCache({ valueBudget: { maxChars: 300 } });
    await cache.set("v", oddKeysValue(), tester);
    const app = mountRoutes(cache);
    const bad: string[] = [];
    const queries = [
      "maxChars=0",
      "maxChars=63",
      "maxChars=9999999999999999",
      "maxChars=NaN",
      "maxChars=abc",
      "maxChars=",
      "maxChars=1e3",
      "maxChars=-1",
      "maxChars=64&maxChars=65",
      "cursor=",
      `cursor=${"a".repeat(100_000)}`,
      "cursor=v1.x.0.",
      "cursor=v1.x.99999999999999999.IiI",
      "path=%ED%A0%80",
      "path=%",
      "path=%zz",
      "path=/%F0%9F%98%80/%ED%B0%80",
      `path=${"/a".repeat(5000)}`,
      "path=nope",
      "path=/plain/99999999999999999999",
      "path=/plain/-",
      "path=/plain/01",
      "cursor=v1.x.0.W10&path=/plain",
      `cursor=v1.x.0.${"A".repeat(20_000)}`,
    ];
    for (const q of queries) {
      for (const route of ["/refcache/refs/v", "/refcache/refs/v/preview"]) {
        const r = await app.request(`${route}?${q}`);
        const body = await r.text();
        if (r.status >= 500 || (r.status !== 200 && !/problem\+json/.test(r.headers.get("content-type") ?? "")))
          bad.push(`${route}?${q.slice(0, 60)} -> ${r.status} ${body.slice(0, 200)}`);
        if (r.status === 200 && route === "/refcache/refs/v") {
          const page = JSON.parse(body);
          if (JSON.stringify(page.value).length > 300 + 100)
            bad.push(`${q.slice(0, 60)} over budget ${JSON.stringify(page.value).length}`);
        }
      }
    }
    for (const id of ["%ED%A0%80", "a%00b", "a".repeat(300), "..", "a%2Fb", "%"]) {
      const r = await app.request(`/refcache/refs/${id}`);
      if (r.status >= 500) bad.push(`id ${id} -> ${r.status} ${(await r.text()).slice(0, 200)}`);
    }
    expect(bad).toEqual([]);
    // A maxChars past the budget, of any size, is capped at it; past 15 digits it is refused.
    const atBudget = await (await app.request("/refcache/refs/v?maxChars=300")).json();
    for (const q of ["maxChars=2147483648", "maxChars=999999999999999"]) {
      const r = await app.request(`/refcache/refs/v?${q}`);
      expect([q, r.status]).toEqual([q, 200]);
      expect(await r.json()).toEqual(atBudget);
    }
    expect((await app.request("/refcache/refs/v?maxChars=9999999999999999")).status).toBe(400);
  });
});
