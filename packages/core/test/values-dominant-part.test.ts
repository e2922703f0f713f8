/**
 * Where most of a value lies: the deepest part over half its size, named in the first answer so a client
 * pages a wrapped result's rows at once instead of a page of previews per level.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveJsonPointer } from "../src/index.js";
import { answerCachedResult, valueAnswer } from "../src/mcp/index.js";
import { dominantPart } from "../src/values/dominant-part.js";
import { useCaches } from "./helpers.js";
import { jsonValue } from "./json-arbitraries.js";

const size = (value: unknown) => JSON.stringify(value).length;
const textOf = (answer: { content: { type: string; text?: string }[] }) => answer.content[0]?.text ?? "";

/** The deepest part over half, found the plain way: every child measured in full, no limit on the work. */
function oracle(value: unknown, total: number): string | undefined {
  let part = value;
  let pointer = "";
  for (let depth = 0; depth < 64; depth++) {
    if (typeof part !== "object" || part === null) break;
    const next = Object.entries(part).find(([, child]) => size(child) > total / 2);
    if (next === undefined) break;
    const token = Array.isArray(part) ? next[0] : next[0].replaceAll("~", "~0").replaceAll("/", "~1");
    if (JSON.stringify(`${pointer}/${token}`).length > 100) break;
    pointer = `${pointer}/${token}`;
    part = next[1];
  }
  return pointer === "" ? undefined : pointer;
}

describe("dominantPart", () => {
  it("names the deepest part over half the value, for every JSON value (or an ancestor of it, when the work runs out)", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const total = size(value);
        const most = dominantPart(value, total);
        const deepest = oracle(value, total);
        expect(most === undefined).toBe(deepest === undefined);
        if (most === undefined || deepest === undefined) return;
        expect(size(resolveJsonPointer(value, most.pointer))).toBeGreaterThan(total / 2);
        expect(deepest === most.pointer || deepest.startsWith(`${most.pointer}/`)).toBe(true);
        expect(JSON.stringify(most.pointer).length).toBeLessThanOrEqual(100);
      }),
      { numRuns: 300 },
    );
  });

  it("names a wrapped table's rows, and says what they are", () => {
    const rows = Array.from({ length: 2_000 }, (_, i) => ({ id: i, name: `row ${i}` }));
    const value = { data: { result: { items: rows, meta: { page: 1 } } }, ok: true };
    expect(dominantPart(value, size(value))).toEqual({
      pointer: "/data/result/items",
      description: "an array of 2000 items",
    });
    // A string deep in arrays; keys that a pointer escapes.
    expect(dominantPart([[["x".repeat(5_000)]], 1], 5_020)?.pointer).toBe("/0/0/0");
    expect(dominantPart({ "a/b": { "~": "y".repeat(3_000) } }, 3_020)?.pointer).toBe("/a~1b/~0");
    // Nothing over half: nothing named.
    expect(dominantPart({ a: "x".repeat(100), b: "y".repeat(100) }, 215)).toBeUndefined();
  });
});

describe("the first answer of a large value", () => {
  const makeCache = useCaches();

  it("names where most of it is, and that path pages the rows from the first call", async () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => ({ id: i, name: `row ${i}` }));
    const value = { data: { result: { items: rows, meta: { page: 1 } } } };
    const budget = { maxChars: 2_000, maxFullChars: 4_000 };
    const answer = valueAnswer("wrapped", value, { budget });
    expect(textOf(answer)).toContain(
      `Most of it is an array of 3000 items at "/data/result/items": page that part alone by calling ` +
        `get_cached_result with ` +
        `{"refId":"wrapped","path":"/data/result/items"}.`,
    );
    const { cache } = makeCache({ valueBudget: budget });
    await cache.set("wrapped", value);
    const page = await answerCachedResult(
      cache,
      { refId: "wrapped", path: "/data/result/items" },
      { pollIntervalMs: 100 },
    );
    const first = (page.structuredContent as { page: { value: unknown[] } }).page.value;
    expect(first[0]).toEqual({ id: 0, name: "row 0" });
    // A value with no such part keeps the general words.
    const even = valueAnswer("even", { a: rows.slice(100, 200), b: rows.slice(200, 300) }, { budget });
    expect(textOf(even)).toContain(`"path" (a JSON Pointer, RFC 6901) pages one part of it.`);
  });
});
