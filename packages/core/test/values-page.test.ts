/**
 * Paging: lossless for every JSON value and budget (pages joined, partial items replaced by their own
 * reassembly), every page within its budget, cursors that always move forward, and every bad cursor or
 * path refused with VALIDATION_ERROR.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryStore, pageValue, previewValue, RefCache, RefCacheError, type ValuePage } from "../src/index.js";
import { CURSOR_MAX_LENGTH, decodeCursor, encodeCursor } from "../src/values/cursor.js";
import { isJsonPointer, JSON_POINTER_MAX_LENGTH } from "../src/values/json-pointer.js";
import { boundedBudget, budget, jsonUnderLongKeys, jsonValue } from "./json-arbitraries.js";

const VERSION = "0123456789ab";
const text = (value: unknown) => JSON.stringify(value);
const keySize = (key: string) => text(key).length;

/**
 * Every page of the part at `path` (from `start`, a cursor of its first page, when given); checks each
 * page's size and that the cursors move forward.
 */
function allPages(
  root: unknown,
  path: string,
  maxChars: number,
  measure?: (t: string) => number,
  start?: string,
): ValuePage[] {
  const pages: ValuePage[] = [];
  let cursor: string | undefined = start;
  let offset = -1;
  do {
    // A pointer too long to pass back is reached by cursor alone.
    const named = path.length <= JSON_POINTER_MAX_LENGTH ? { path } : {};
    const page = pageValue(root, {
      refId: "k",
      version: VERSION,
      maxChars,
      measure,
      ...(cursor ? { cursor } : named),
    });
    expect(page.path).toBe(path);
    expect(page.offset).toBeGreaterThan(offset); // never loops, never repeats
    offset = page.offset;
    expect(page.chars).toBe(measure === undefined ? text(page.value).length : measure(text(page.value)));
    if (page.chars > maxChars) {
      // The one exception: a single object entry whose key leaves its value less than 28 of the budget.
      const keys = Object.keys(page.value as object);
      expect(keys).toHaveLength(1);
      if (measure === undefined) {
        expect(keySize(keys[0] as string) + 3 + 28).toBeGreaterThan(maxChars);
        expect(page.chars).toBeLessThanOrEqual(keySize(keys[0] as string) + 31);
      }
    }
    // Short whatever the keys: by pointer up to 512 characters, else by positions (a few per level).
    for (const made of [page.nextCursor ?? "", ...(page.partialCursors ?? [])]) {
      expect(made.length).toBeLessThanOrEqual(600 + 3 * path.split("/").length);
    }
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

/**
 * The part at `path`, put back together from its pages, partial items by their own pages (from their
 * `partialCursors` when a page gives them), recursively.
 */
function reassemble(
  root: unknown,
  path: string,
  maxChars: number,
  measure?: (t: string) => number,
  start?: string,
): unknown {
  const pages = allPages(root, path, maxChars, measure, start);
  const first = pages[0] as ValuePage;
  let whole: unknown;
  if (Array.isArray(first.value)) whole = pages.flatMap((p) => p.value as unknown[]);
  else if (typeof first.value === "string") whole = pages.map((p) => p.value as string).join("");
  else if (typeof first.value === "object" && first.value !== null) {
    const merged: Record<string, unknown> = {};
    for (const page of pages) {
      for (const [key, value] of Object.entries(page.value as object)) {
        Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    whole = merged;
  } else whole = first.value;
  expect(pages.at(-1)?.offset).toBeLessThanOrEqual(first.total);
  for (const page of pages) {
    const partial = page.partial ?? [];
    expect(page.partialCursors?.length).toBe(page.partial === undefined ? undefined : partial.length);
    for (const [j, pointer] of partial.entries()) {
      const cursor = page.partialCursors?.[j] as string;
      if (pointer.length <= JSON_POINTER_MAX_LENGTH) {
        // Its cursor and its pointer give the same first page.
        const byPath = pageValue(root, { refId: "k", version: VERSION, maxChars, measure, path: pointer });
        expect(pageValue(root, { refId: "k", version: VERSION, maxChars, measure, cursor })).toEqual(byPath);
      }
      expect(pointer.startsWith(`${path}/`)).toBe(true);
      const token = pointer
        .slice(path.length + 1)
        .replaceAll("~1", "/")
        .replaceAll("~0", "~");
      const item = reassemble(root, pointer, maxChars, measure, cursor);
      Object.defineProperty(whole, Array.isArray(whole) ? Number(token) : token, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return whole;
}

describe("pageValue", () => {
  it("reassembles every JSON value exactly, every page within its budget", () => {
    fc.assert(
      fc.property(jsonValue, budget, (value, drawn) => {
        const maxChars = boundedBudget(value, drawn);
        expect(text(reassemble(value, "", maxChars))).toBe(text(value));
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it("reassembles with a custom measure (tokens) too, each page within the measured budget", () => {
    const tokens = (t: string) => Math.ceil(t.length / 3);
    fc.assert(
      fc.property(jsonValue, fc.integer({ min: 64, max: 5_000 }), (value, drawn) => {
        const maxChars = boundedBudget(value, drawn, 3);
        expect(text(reassemble(value, "", maxChars, tokens))).toBe(text(value));
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it("costs work in proportion to the page, not to a huge item beyond it", () => {
    // An item of 300,000 numbers, each read counted, after 20 small ones.
    let reads = 0;
    const huge = new Proxy(
      Array.from({ length: 300_000 }, (_, i) => i),
      {
        get(target, key, receiver) {
          reads++;
          return Reflect.get(target, key, receiver);
        },
      },
    );
    const value = [...Array.from({ length: 20 }, (_, i) => i), huge, 1, 2, 3];
    const page = pageValue(value, { refId: "k", version: VERSION, maxChars: 4_000 });
    // The small items, the huge one left to the next page (where it stands as its preview).
    expect(page.value).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(page.nextCursor).toBeDefined();
    expect(reads).toBeLessThan(20_000);
  });

  it("pages a part named by a JSON Pointer, keys with / and ~ escaped", () => {
    const value = { "a/b": { "~x": ["p", "q", "r".repeat(300)] } };
    const page = pageValue(value, { refId: "k", version: VERSION, maxChars: 64, path: "/a~1b/~0x" });
    expect(page).toMatchObject({ path: "/a~1b/~0x", value: ["p", "q"], offset: 0, total: 3 });
    const next = pageValue(value, { refId: "k", version: VERSION, maxChars: 64, cursor: page.nextCursor as string });
    expect(next.partial).toEqual(["/a~1b/~0x/2"]);
    expect(text(reassemble(value, "/a~1b/~0x", 64))).toBe(text(value["a/b"]["~x"]));
  });

  it("pages a string by characters, never inside a surrogate pair, and a scalar as itself", () => {
    const value = "😀".repeat(100);
    const pages = allPages(value, "", 64);
    for (const page of pages) expect(/^(?:[\ud800-\udbff][\udc00-\udfff])*$/.test(page.value as string)).toBe(true);
    expect(pageValue(42, { refId: "k", version: VERSION, maxChars: 64 })).toMatchObject({ value: 42, total: 1 });
    expect(pageValue([], { refId: "k", version: VERSION, maxChars: 64 })).toMatchObject({ value: [], total: 0 });
  });

  describe("refuses with VALIDATION_ERROR, never an empty page or a crash", () => {
    const value = { rows: Array.from({ length: 100 }, (_, i) => i), s: "a😀b" };
    const page = (options: { cursor?: string; path?: string }, version = VERSION) =>
      pageValue(value, { refId: "k", version, maxChars: 64, ...options });
    const refused = (call: () => unknown) =>
      expect(call).toThrow(expect.objectContaining({ code: "VALIDATION_ERROR", refId: "k" }));
    const first = page({ path: "/rows" });
    const cursor = first.nextCursor as string;

    it("a malformed or made-up cursor", () => {
      for (const bad of ["", "x", "v1", "v1.a.b.c", `${cursor}=`, cursor.replace("v1.", "v2."), `${cursor}!`]) {
        refused(() => page({ cursor: bad }));
      }
      fc.assert(
        fc.property(fc.string(), (bad) => {
          try {
            page({ cursor: bad });
          } catch (error) {
            expect(RefCacheError.isInstance(error, "VALIDATION_ERROR")).toBe(true);
          }
        }),
      );
    });

    it("a positions cursor that names no part, or is not one this library makes", () => {
      const made = (positions: string) =>
        `v1.${VERSION}.0.${btoa(positions).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}`;
      expect(page({ cursor: made("[0,3]") }).value).toBe(3); // rows/3: the form itself is taken
      // Past the keys or items, into a scalar, negative, fractional, spelled otherwise, deeper than any value.
      for (const bad of ["[2]", "[0,100]", "[0,3,0]", "[1,0]", "[-1]", "[0.5]", "[1e0]", "[ 0]", '["0"]', "[{}]"]) {
        refused(() => page({ cursor: made(bad) }));
      }
      refused(() => page({ cursor: made(`[${"0,".repeat(200)}0]`) }));
    });

    it("a cursor for a value since overwritten (another version)", () => {
      refused(() => page({ cursor }, "ffffffffffff"));
    });

    it("a cursor with another path than the one given", () => {
      refused(() => page({ cursor, path: "/s" }));
      expect(page({ cursor, path: "/rows" }).offset).toBe(first.total > 0 ? (page({ cursor }).offset as number) : 0);
    });

    it("a pointer that does not resolve or is not a pointer", () => {
      for (const path of ["/nope", "/rows/100", "/rows/-", "/rows/01", "/s/0", "rows", "/~2"])
        refused(() => page({ path }));
    });

    it("a budget that is not one (below 64, fractional, NaN), in pageValue and previewValue alike", () => {
      for (const maxChars of [0, 2, 63, -1, 64.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
        // Below 64 a string page could hold nothing, its cursor naming the same page again, for ever.
        refused(() => pageValue("abcdef".repeat(20), { refId: "k", version: VERSION, maxChars }));
        expect(() => previewValue(value, { maxChars })).toThrow(expect.objectContaining({ code: "VALIDATION_ERROR" }));
      }
    });

    it("a page past the end, and a cursor inside a surrogate pair", () => {
      const past = cursor.replace(/\.(\d+)\./, ".100.");
      refused(() => page({ cursor: past }));
      const inside = cursor.replace(/\.(\d+)\./, ".2.").replace(/\.[^.]*$/, `.${btoa('"/s"').replaceAll("=", "")}`);
      refused(() => page({ cursor: inside }));
      const fine = inside.replace(/\.2\./, ".3.");
      expect(page({ cursor: fine }).value).toBe("b");
    });
  });
});

describe("cursors", () => {
  it("are taken back for every pointer accepted, up to the longest and whatever its characters", () => {
    const longest = (unit: string) => `/${unit.repeat(Math.floor((JSON_POINTER_MAX_LENGTH - 1) / unit.length))}`;
    const version = "v".repeat(64);
    const offset = 9_007_199_254_740_991; // 16 digits
    for (const unit of ["k", "é", "中", "😀".slice(0, 1), "\u0001", "😀", '"', "~0"]) {
      const path = longest(unit);
      expect(isJsonPointer(path)).toBe(true);
      const cursor = encodeCursor({ version, path, offset });
      expect(cursor.length).toBeLessThanOrEqual(CURSOR_MAX_LENGTH);
      expect(decodeCursor(cursor)).toEqual({ version, path, offset });
    }
  });

  it("reach every part under keys too long for a pointer: the whole value reassembles, from any budget", () => {
    fc.assert(
      fc.property(jsonUnderLongKeys, fc.integer({ min: 64, max: 3_000 }), (value, maxChars) => {
        expect(text(reassemble(value, "", maxChars))).toBe(text(value));
      }),
      { numRuns: 30 },
    );
    // A part 200 levels deep, each under a 9,000-character key: the cursor names it by positions, briefly.
    let deep: unknown = "x".repeat(500);
    const key = "k".repeat(9_000);
    for (let i = 0; i < 199; i++) deep = { [key]: deep };
    expect(text(reassemble(deep, "", 64))).toBe(text(deep));
    // Deeper than a stored value may be (pageValue takes any): 400 levels of arrays, by positions past 512.
    let deeper: unknown = "y".repeat(300);
    for (let i = 0; i < 400; i++) deeper = [deeper];
    expect(text(reassemble(deeper, "", 64))).toBe(text(deeper));
  }, 120_000);

  it("page a part under a long key of any characters to its end, through the cache's options check", async () => {
    const cache = new RefCache();
    for (const key of ["k".repeat(3_100), "中".repeat(3_000), "\ud800".repeat(1_500)]) {
      const value = { [key]: "x".repeat(2_000) };
      await cache.set("v", value);
      const first = await cache.page("v", { maxChars: 200 });
      const path = first?.partial?.[0] as string;
      let joined = "";
      let page = await cache.page("v", { maxChars: 200, path });
      while (page !== undefined) {
        joined += page.value as string;
        page = page.nextCursor === undefined ? undefined : await cache.page("v", { cursor: page.nextCursor });
      }
      expect(joined).toBe(value[key]);
    }
    await cache.close();
  });
});

describe("cache.page (arrays cut from the stored text)", () => {
  /** Every page of the part at `path`, from the cache and from `pageValue` on the tree, side by side. */
  async function bothWays(
    cache: RefCache,
    value: unknown,
    path: string,
    maxChars: number,
    start?: string,
  ): Promise<void> {
    let cursor: string | undefined = start;
    do {
      const where = cursor ? { cursor } : { path };
      const stored = await cache.page("v", { maxChars, ...where });
      const version = stored?.version as string;
      const fromTree = pageValue(value, { refId: "v", version, maxChars, ...where });
      expect(text(stored?.value)).toBe(text(fromTree.value));
      expect(stored).toEqual(fromTree);
      for (const [j, pointer] of (stored?.partial ?? []).entries()) {
        const byPath = pointer.length <= JSON_POINTER_MAX_LENGTH;
        await bothWays(cache, value, pointer, maxChars, byPath ? undefined : stored?.partialCursors?.[j]);
      }
      cursor = stored?.nextCursor;
    } while (cursor !== undefined);
  }

  it("gives the same pages as paging the decoded value, for every JSON value and budget", async () => {
    const cache = new RefCache();
    await fc.assert(
      fc.asyncProperty(jsonValue, budget, async (value, drawn) => {
        await cache.set("v", value);
        await bothWays(cache, value, "", boundedBudget(value, drawn));
      }),
      { numRuns: 100 },
    );
    await cache.close();
  }, 120_000);

  it("gives the same pages for values under keys too long for a pointer (reached by cursor)", async () => {
    const cache = new RefCache();
    await fc.assert(
      fc.asyncProperty(jsonUnderLongKeys, fc.integer({ min: 64, max: 3_000 }), async (value, maxChars) => {
        await cache.set("v", value);
        await bothWays(cache, value, "", maxChars);
      }),
      { numRuns: 15 },
    );
    await cache.close();
  }, 120_000);

  it("falls back to the decoded value when the stored text is not compact JSON", async () => {
    const store = new MemoryStore();
    const cache = new RefCache({ store });
    const value = { rows: Array.from({ length: 50 }, (_, id) => ({ id, name: `row ${id}` })) };
    await store.set("v", { data: JSON.stringify(value, null, 2), createdAt: Date.now(), version: 99 });
    await bothWays(cache, value, "/rows", 200);
    await cache.close();
  });
});
