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

describe("dominantPart", () => {
  it("names the deepest part over half the value, for every JSON value", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const total = size(value);
        const most = dominantPart(value, total);
        if (most === undefined) {
          // No child of the root is over half.
          const children = typeof value === "object" && value !== null ? Object.values(value) : [];
          for (const child of children) expect(size(child)).toBeLessThanOrEqual(total / 2);
          return;
        }
        const part = resolveJsonPointer(value, most.pointer);
        expect(size(part)).toBeGreaterThan(total / 2);
        expect(most.pointer.length).toBeLessThanOrEqual(256);
        // Deepest: none of its children is over half, unless naming it would pass 256 characters or 64 levels.
        const children = typeof part === "object" && part !== null ? Object.entries(part) : [];
        for (const [key, child] of children) {
          if (size(child) <= total / 2) continue;
          const token = key.replaceAll("~", "~0").replaceAll("/", "~1");
          const depth = most.pointer.split("/").length - 1;
          expect(most.pointer.length + 1 + token.length > 256 || depth >= 64).toBe(true);
        }
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
      `most of it is an array of 3000 items at "/data/result/items": to page that part alone, call ` +
        `get_cached_result with {"refId":"wrapped","path":"/data/result/items"}.`,
    );
    const { cache } = makeCache({ valueBudget: budget });
    await cache.set("wrapped", value);
    const page = await answerCachedResult(cache, { refId: "wrapped", path: "/data/result/items" }, {});
    const first = (page.structuredContent as { page: { value: unknown[] } }).page.value;
    expect(first[0]).toEqual({ id: 0, name: "row 0" });
    // A value with no such part keeps the general words.
    const even = valueAnswer("even", { a: rows.slice(100, 200), b: rows.slice(200, 300) }, { budget });
    expect(textOf(even)).toContain(`"path" (a JSON Pointer, RFC 6901) pages one part of it.`);
  });
});
