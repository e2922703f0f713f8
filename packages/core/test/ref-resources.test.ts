/**
 * References as MCP resources (mcp/ref-resources.ts): URIs round-trip every ref id, `resources/read`
 * answers the whole value or its pages joined back exactly, owner scope and execute-only apply.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExecuteOnlyError, REF_ID_PATTERN } from "../src/index.js";
import {
  DEFAULT_REF_RESOURCE_TEMPLATE,
  parseRefResourceUri,
  REF_PAGE_META_KEY,
  RefResourceTemplateSchema,
  readRefResource,
  refResourceLink,
  refResourceUri,
} from "../src/mcp/index.js";
import { readAllRefResource } from "../src/testing/index.js";
import { useCaches } from "./helpers.js";
import { boundedBudget, budget, jsonUnderLongKeys, jsonValue } from "./json-arbitraries.js";

const ALICE = "auth:alice";

describe("reference resource URIs", () => {
  it("round-trip every ref id and cursor, under the default and a custom template", () => {
    const refId = fc.stringMatching(REF_ID_PATTERN).filter((s) => s.length <= 256);
    fc.assert(
      fc.property(refId, fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }), (id, cursor) => {
        for (const template of [DEFAULT_REF_RESOURCE_TEMPLATE, "app://values/{refId}/json"]) {
          const uri = refResourceUri(id, template, { cursor });
          expect(() => new URL(uri)).not.toThrow();
          expect(parseRefResourceUri(uri, template)).toEqual(
            cursor === undefined ? { refId: id } : { refId: id, cursor },
          );
        }
      }),
    );
    expect(refResourceUri("git:dead beef")).toBe("refcache://refs/git%3Adead%20beef");
    expect(parseRefResourceUri("other://refs/x")).toBeUndefined();
    expect(parseRefResourceUri("refcache://refs/")).toBeUndefined();
    expect(parseRefResourceUri("refcache://refs/%E0%A4%A")).toBeUndefined();
  });

  it("refuse templates without exactly one {refId}, or with a query", () => {
    for (const bad of [
      "refcache://{refId}/{refId}",
      "refs/{refId}",
      "x://a?b={refId}",
      "x://{other}/{refId}",
      "x://a/{refId}.json",
      "x://a/{refId}/data",
    ]) {
      expect(RefResourceTemplateSchema.safeParse(bad).success).toBe(false);
    }
    expect(RefResourceTemplateSchema.safeParse("x://a/{refId}").success).toBe(true);
  });
});

describe("readRefResource", () => {
  const makeCache = useCaches();
  const table = { rows: Array.from({ length: 3_000 }, (_, id) => ({ id, name: `row ${id}` })) };

  it("answers a small value whole, a large one page by page (nextUri) joined back exactly", async () => {
    const { cache } = makeCache({ valueBudget: { maxChars: 2_000 } });
    await cache.set("small", { a: 1 }, { owner: ALICE });
    await cache.set("big", table, { owner: ALICE });
    const small = await readRefResource(cache, refResourceUri("small"), { owner: ALICE });
    expect(small?.contents[0]).toEqual({ uri: "refcache://refs/small", mimeType: "application/json", text: '{"a":1}' });

    // The first page is of the whole value: its one key stands as a preview, read at its own URI.
    const first = JSON.parse(
      (await readRefResource(cache, refResourceUri("big"), { owner: ALICE }))?.contents[0].text as string,
    ) as { path: string; partialUris?: string[] };
    expect(first.path).toBe("");
    expect(first.partialUris).toEqual([refResourceUri("big", undefined, { path: "/rows" })]);
    const rows: unknown[] = [];
    let uri: string | undefined = first.partialUris?.[0];
    let pages = 0;
    while (uri !== undefined) {
      const text = (await readRefResource(cache, uri, { owner: ALICE }))?.contents[0].text as string;
      expect(text.length).toBeLessThanOrEqual(2_000 + 1_000);
      const page = JSON.parse(text) as { value: unknown[]; nextUri?: string };
      rows.push(...page.value);
      uri = page.nextUri;
      if (++pages > 1_000) throw new Error("paging never ended");
    }
    expect(pages).toBeGreaterThan(10);
    expect(rows).toEqual(table.rows);
  });

  it("for every JSON value (keys of any length too) and budget, following nextUri and partialUris gives it back exactly", async () => {
    const { cache } = makeCache();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonValue, jsonUnderLongKeys), budget, async (value, drawn) => {
        const maxChars = boundedBudget(value, drawn);
        const refId = `v${n++}`;
        await cache.set(refId, value, { owner: ALICE });
        let pages = 0;
        const read = async (uri: string) => {
          const content = (await readRefResource(cache, uri, { owner: ALICE, valueBudget: { maxChars } }))?.contents[0];
          if (content?._meta?.[REF_PAGE_META_KEY] === true) pages++;
          return content ?? {};
        };
        // Pages are marked in _meta, values are not: the reader tells them apart by that alone.
        expect(JSON.stringify(await readAllRefResource(read, refResourceUri(refId)))).toBe(JSON.stringify(value));
        expect(pages > 0).toBe(JSON.stringify(value).length > maxChars);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it("pages within a smaller ?maxChars= (capped at the budget), kept in every URI it hands out", async () => {
    const { cache } = makeCache();
    const value = { rows: Array.from({ length: 300 }, (_, i) => ({ i, s: `row ${i}` })), big: "x".repeat(500) };
    await cache.set("sized", value, { owner: ALICE });
    let reads = 0;
    const read = async (uri: string) => {
      reads++;
      const content = (await readRefResource(cache, uri, { owner: ALICE }))?.contents[0];
      const page = JSON.parse(content?.text as string) as { chars: number; nextUri?: string; partialUris?: string[] };
      expect(page.chars).toBeLessThanOrEqual(200);
      for (const next of [page.nextUri, ...(page.partialUris ?? [])]) {
        if (next !== undefined) expect(parseRefResourceUri(next)?.maxChars).toBe(200);
      }
      return content ?? {};
    };
    const uri = refResourceUri("sized", undefined, { maxChars: 200 });
    expect(await readAllRefResource(read, uri)).toEqual(value);
    expect(reads).toBeGreaterThan(20);
    // Larger than the budget: capped (the cache's 20,000), one page holds it all.
    for (const huge of [2 ** 31 - 1, 2 ** 31, 999_999_999_999_999]) {
      const capped = await readRefResource(cache, refResourceUri("sized", undefined, { maxChars: huge }), {
        owner: ALICE,
      });
      expect(JSON.parse(capped?.contents[0].text as string)).toMatchObject({ value, offset: 0 });
    }
    for (const bad of ["63", "0", "-1", "1e3", "abc", "", "9999999999999999"]) {
      await expect(
        readRefResource(cache, `${refResourceUri("sized")}?maxChars=${bad}`, { owner: ALICE }),
      ).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    }
  });

  it("marks a page in _meta, so a value shaped like a page is not taken for one", async () => {
    const { cache } = makeCache();
    const lookalike = { refId: "x", path: "", value: [1], offset: 0, total: 1, chars: 3, version: "v", nextUri: "y" };
    await cache.set("lookalike", lookalike, { owner: ALICE });
    const whole = (await readRefResource(cache, refResourceUri("lookalike"), { owner: ALICE }))?.contents[0];
    expect(whole?._meta).toBeUndefined();
    expect(JSON.parse(whole?.text as string)).toEqual(lookalike);
    const paged = await readRefResource(cache, refResourceUri("lookalike"), {
      owner: ALICE,
      valueBudget: { maxChars: 64 },
    });
    expect(paged?.contents[0]._meta).toEqual({ [REF_PAGE_META_KEY]: true });
  });

  it("reads nothing for another owner or an unknown id, and refuses an execute-only value", async () => {
    const { cache } = makeCache();
    await cache.set("theirs", 1, { owner: "auth:bob" });
    await cache.set("secret", { key: "k" }, { owner: ALICE, executeOnly: true });
    expect(await readRefResource(cache, refResourceUri("theirs"), { owner: ALICE })).toBeUndefined();
    expect(await readRefResource(cache, refResourceUri("nothing"), { owner: ALICE })).toBeUndefined();
    await expect(readRefResource(cache, refResourceUri("secret"), { owner: ALICE })).rejects.toBeInstanceOf(
      ExecuteOnlyError,
    );
    await expect(
      readRefResource(cache, refResourceUri("secret", undefined, { cursor: "m1.x" }), { owner: ALICE }),
    ).rejects.toBeInstanceOf(ExecuteOnlyError);
  });

  it("builds a resource_link to the same URI", () => {
    expect(refResourceLink("a:b", { sizeBytes: 10 })).toEqual({
      type: "resource_link",
      uri: "refcache://refs/a%3Ab",
      name: "a:b",
      mimeType: "application/json",
      size: 10,
    });
  });
});
