/**
 * Stored text written by another encoder (compact, but not what encodeValue writes): pages cut from the
 * text must be the pages of the decoded value, within the budget.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryStore, pageValue, RefCache } from "../src/index.js";
import { budget, jsonValue } from "./json-arbitraries.js";

async function cacheWith(data: string) {
  const store = new MemoryStore();
  const cache = new RefCache({ store });
  await store.set("v", { data, createdAt: Date.now(), version: 7 });
  return cache;
}

describe("pages of text another encoder wrote", () => {
  it("pages the value a repeated key decodes to (the last), not the first", async () => {
    const cache = await cacheWith('{"a":[1,2,3],"a":["x","y"]}');
    const page = await cache.page("v", { path: "/a", maxChars: 64 });
    expect(page?.value).toEqual(["x", "y"]);
    await cache.close();
  });

  it("keeps a page within its budget when numbers are written shorter than JSON.stringify writes them", async () => {
    const data = `[${Array(40).fill("9e20").join(",")}]`;
    const cache = await cacheWith(data);
    const page = await cache.page("v", { maxChars: 64 });
    expect(JSON.stringify(page?.value).length).toBe(page?.chars);
    expect(page?.chars).toBeLessThanOrEqual(64);
    const tree = JSON.parse(data) as unknown;
    expect(page?.value).toEqual(pageValue(tree, { refId: "v", version: page?.version as string, maxChars: 64 }).value);
    await cache.close();
  });

  it("pages items that repeat a key as they decode, within the budget, to the end", async () => {
    const item = `{"k":"${"x".repeat(40)}","k":1}`;
    const data = `[${Array(10).fill(item).join(",")}]`;
    const cache = await cacheWith(data);
    const items: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await cache.page("v", { maxChars: 64, ...(cursor === undefined ? {} : { cursor }) });
      // The text's spans are longer than the items decode to: a page may hold fewer, counted as the text.
      expect(JSON.stringify(page?.value).length).toBeLessThanOrEqual(page?.chars as number);
      expect(page?.chars).toBeLessThanOrEqual(64);
      items.push(...((page?.value as unknown[] | undefined) ?? []));
      cursor = page?.nextCursor;
    } while (cursor !== undefined);
    expect(items).toEqual(JSON.parse(data));
    await cache.close();
  });

  it("measures a page whose text holds escapes, raw surrogates or numbers JSON.stringify writes otherwise", async () => {
    for (const piece of ['"\\u0041\\u0042"', '"a\\/b"', '"\ud800"', "1.50", "-0", "1E3", "0.0000001e7"]) {
      const data = `[${Array(30).fill(piece).join(",")}]`;
      const cache = await cacheWith(data);
      const page = await cache.page("v", { maxChars: 64 });
      expect(JSON.stringify(page?.value).length).toBe(page?.chars);
      expect(page?.chars).toBeLessThanOrEqual(64);
      const tree = JSON.parse(data) as unknown;
      expect(page).toEqual(pageValue(tree, { refId: "v", version: page?.version as string, maxChars: 64 }));
      await cache.close();
    }
  });
});

/**
 * Compact JSON text of `value` as another encoder might write it: numbers with exponents, fractions
 * ending in zeros, `-0`; characters escaped as `\uXXXX` or `\/`; lone surrogates raw. `choices` picks
 * the spelling of each number and string in turn.
 */
function foreignText(value: unknown, choices: number[]): string {
  let at = 0;
  const pick = () => choices[at++ % choices.length] as number;
  const number = (n: number): string => {
    const plain = JSON.stringify(n);
    switch (pick() % 4) {
      case 0:
        return n === 0 ? "-0" : n.toExponential().replace("e+", "e");
      case 1:
        return Number.isInteger(n) && Math.abs(n) < 1e15 ? `${plain}.${"0".repeat(1 + (at % 3))}` : plain;
      default:
        return plain;
    }
  };
  const string = (s: string): string => {
    const kind = pick() % 3;
    let out = "";
    for (const char of s) {
      const code = char.charCodeAt(0);
      if (kind === 0 && char.length === 1) out += `\\u${code.toString(16).padStart(4, "0")}`;
      else if (kind === 1 && char === "/") out += "\\/";
      else if (char.length === 1 && code >= 0xd800 && code <= 0xdfff)
        out += char; // a lone surrogate, raw
      else out += JSON.stringify(char).slice(1, -1);
    }
    return `"${out}"`;
  };
  const write = (v: unknown): string => {
    if (typeof v === "number") return number(v);
    if (typeof v === "string") return string(v);
    if (Array.isArray(v)) return `[${v.map(write).join(",")}]`;
    if (typeof v === "object" && v !== null) {
      return `{${Object.entries(v)
        .map(([k, item]) => `${string(k)}:${write(item)}`)
        .join(",")}}`;
    }
    return JSON.stringify(v);
  };
  return write(value);
}

describe("pages of any value as another encoder writes it", () => {
  it("read back the value the text decodes to, every page within its budget and measured", async () => {
    const store = new MemoryStore();
    const cache = new RefCache({ store });
    let version = 0;
    const value = fc.array(fc.oneof(jsonValue, fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }))), {
      minLength: 1,
      maxLength: 40,
    });
    await fc.assert(
      fc.asyncProperty(value, fc.array(fc.nat(11), { minLength: 1 }), budget, async (items, choices, maxChars) => {
        const data = foreignText(items, choices);
        const decoded = JSON.parse(data) as unknown[];
        // A new version each run: the cache keeps what it decoded of the one before.
        await store.set("v", { data, createdAt: Date.now(), version: ++version });
        const read: unknown[] = [];
        let cursor: string | undefined;
        do {
          const page = await cache.page("v", { maxChars, ...(cursor === undefined ? {} : { cursor }) });
          const size = JSON.stringify(page?.value).length;
          expect(size).toBeLessThanOrEqual(page?.chars as number);
          if (page?.partial === undefined) expect(page?.chars).toBeLessThanOrEqual(maxChars);
          read.push(...((page?.value as unknown[] | undefined) ?? []));
          for (const [j, pointer] of (page?.partial ?? []).entries()) {
            // An item too large for a page stands as its preview (paged on its own elsewhere): compare it whole.
            read[Number(pointer.slice(1))] = decoded[Number(pointer.slice(1))];
            expect(page?.partialCursors?.[j]).toBeDefined();
          }
          cursor = page?.nextCursor;
        } while (cursor !== undefined);
        expect(JSON.stringify(read)).toBe(JSON.stringify(decoded));
      }),
      { numRuns: 100 },
    );
    await cache.close();
  }, 120_000);
});
