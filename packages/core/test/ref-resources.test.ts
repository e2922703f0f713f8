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
  RefResourceTemplateSchema,
  readRefResource,
  refResourceLink,
  refResourceUri,
} from "../src/mcp/index.js";
import { useCaches } from "./helpers.js";
import { budget, jsonUnderLongKeys, jsonValue } from "./json-arbitraries.js";

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
    interface Body {
      refId?: string;
      version?: string;
      value?: unknown;
      partial?: string[];
      nextUri?: string;
      partialUris?: string[];
    }
    const setOwn = (target: object, key: string | number, value: unknown) =>
      Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    const { cache } = makeCache();
    const read = async (uri: string, maxChars: number) =>
      JSON.parse(
        (await readRefResource(cache, uri, { owner: ALICE, valueBudget: { maxChars } }))?.contents[0].text as string,
      ) as Body;
    /** The part a page URI starts, joined from its pages, items too large for them from their own URIs. */
    const reassemble = async (uri: string, maxChars: number): Promise<unknown> => {
      const pages: Body[] = [];
      for (let next: string | undefined = uri; next !== undefined; next = pages.at(-1)?.nextUri) {
        pages.push(await read(next, maxChars));
      }
      const first = pages[0]?.value;
      let whole: unknown = first;
      if (Array.isArray(first)) whole = pages.flatMap((page) => page.value as unknown[]);
      else if (typeof first === "string") whole = pages.map((page) => page.value).join("");
      else if (typeof first === "object" && first !== null) {
        whole = {};
        for (const page of pages)
          for (const [k, v] of Object.entries(page.value as object)) setOwn(whole as object, k, v);
      }
      for (const page of pages) {
        for (const [i, pointer] of (page.partial ?? []).entries()) {
          const token = (pointer.split("/").at(-1) as string).replaceAll("~1", "/").replaceAll("~0", "~");
          const item = await reassemble(page.partialUris?.[i] as string, maxChars);
          setOwn(whole as object, Array.isArray(whole) ? Number(token) : token, item);
        }
      }
      return whole;
    };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonValue, jsonUnderLongKeys), budget, async (value, maxChars) => {
        const refId = `v${n++}`;
        await cache.set(refId, value, { owner: ALICE });
        const answer = await read(refResourceUri(refId), maxChars);
        const paged =
          answer?.refId === refId && typeof answer.version === "string" && JSON.stringify(value).length > maxChars;
        const whole = paged ? await reassemble(refResourceUri(refId), maxChars) : answer;
        expect(JSON.stringify(whole)).toBe(JSON.stringify(value));
      }),
      { numRuns: 100 },
    );
  }, 120_000);

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
