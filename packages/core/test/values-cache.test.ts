/**
 * `cache.preview` and `cache.page` on a RefCache: the same owner and expiry rule as `get`, the budget
 * options and their defaults, the largest value stored, versions, and pages that after the first read
 * only an entry's bookkeeping.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MAX_CHARS,
  DEFAULT_MAX_FULL_CHARS,
  DecodedValues,
  MemoryStore,
  MemoryTaskStore,
  RefCache,
  resolveValueBudget,
} from "../src/index.js";
import type { StoreEntry } from "../src/store-kit.js";
import { ManualClock, until } from "./helpers.js";

const rows = Array.from({ length: 2_000 }, (_, id) => ({ id, name: `row ${id}` }));

describe("cache.preview and cache.page", () => {
  it("see what get sees: nothing for a missing, expired or other owner's value", async () => {
    const clock = new ManualClock();
    const cache = new RefCache({ clock });
    await cache.set("mine", { rows }, { owner: "alice", ttlMs: 1_000 });
    expect(await cache.preview("missing")).toBeUndefined();
    expect(await cache.page("missing")).toBeUndefined();
    expect(await cache.preview("mine", { owner: "bob" })).toBeUndefined();
    expect(await cache.page("mine", { owner: "bob" })).toBeUndefined();
    expect(await cache.preview("mine", { owner: "alice" })).toMatchObject({ refId: "mine", complete: false });
    clock.advance(1_000);
    expect(await cache.preview("mine", { owner: "alice" })).toBeUndefined();
    expect(await cache.page("mine", { owner: "alice" })).toBeUndefined();
    await cache.close();
  });

  it("use the cache's budget by default, and a smaller or larger one when asked", async () => {
    const cache = new RefCache({ valueBudget: { maxChars: 1_000 } });
    expect(cache.valueBudget).toEqual({ maxChars: 1_000, maxFullChars: DEFAULT_MAX_FULL_CHARS });
    await cache.set("t", { rows });
    const preview = await cache.preview("t");
    expect(preview).toMatchObject({ maxChars: 1_000, totalChars: JSON.stringify({ rows }).length });
    expect(preview?.chars).toBeLessThanOrEqual(1_000);
    expect((await cache.page("t", { path: "/rows" }))?.chars).toBeLessThanOrEqual(1_000);
    expect((await cache.page("t", { path: "/rows", maxChars: 5_000 }))?.chars).toBeGreaterThan(1_000);
    await expect(cache.page("t", { maxChars: 63 })).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await expect(cache.preview("t", { maxChars: 10.5 })).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await expect(cache.page("t", { nope: 1 } as never)).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await cache.close();
  });

  it("count in the budget's unit with a custom measure (tokens), the whole value's size included", async () => {
    const tokens = (text: string) => Math.ceil(text.length / 4);
    const cache = new RefCache({ valueBudget: { maxChars: 300, measure: tokens } });
    await cache.set("t", { rows });
    const preview = await cache.preview("t");
    expect(preview?.totalChars).toBe(tokens(JSON.stringify({ rows })));
    expect(preview?.chars).toBe(tokens(JSON.stringify(preview?.preview)));
    expect(preview?.chars).toBeLessThanOrEqual(300);
    const page = await cache.page("t", { path: "/rows" });
    expect(page?.chars).toBe(tokens(JSON.stringify(page?.value)));
    expect(page?.chars).toBeLessThanOrEqual(300);
    expect(JSON.stringify(page?.value).length).toBeGreaterThan(300); // more characters than tokens
    await cache.close();
  });

  it("hand out copies: changing a page or preview changes nothing stored", async () => {
    const cache = new RefCache();
    await cache.set("t", { rows });
    const page = (await cache.page("t", { path: "/rows", maxChars: 200 })) as { value: { id: number }[] };
    (page.value[0] as { id: number }).id = -1;
    const preview = (await cache.preview("t", { maxChars: 200 })) as { preview: { rows: { id: number }[] } };
    (preview.preview.rows[0] as { id: number }).id = -1;
    const again = (await cache.page("t", { path: "/rows", maxChars: 200 })) as { value: unknown[] };
    expect(again.value).toEqual(rows.slice(0, again.value.length));
    expect(await cache.get("t")).toEqual({ rows });
    await cache.close();
  });

  it("page a task's result, and refuse a cursor once the value was written again", async () => {
    const cache = new RefCache();
    await cache.registerTask("job", {});
    const done = await cache.completeTask("job", { rows });
    expect(done.status).toBe("complete");
    const first = await cache.page("job", { path: "/rows", maxChars: 300 });
    expect(first?.version).toBe((await cache.getEntry("job"))?.version);
    await cache.set("job", { rows });
    await expect(cache.page("job", { cursor: first?.nextCursor as string })).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
      message: expect.stringContaining("overwritten"),
    });
    await cache.close();
  });

  it("read only the entry's bookkeeping (stat) for pages after the first, with the store's version check", async () => {
    let gets = 0;
    class CountingStore extends MemoryStore {
      override get(key: string): Promise<StoreEntry | undefined> {
        gets++;
        return super.get(key);
      }
    }
    const cache = new RefCache({ store: new CountingStore() });
    await cache.set("t", { rows });
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await cache.page("t", { path: "/rows", maxChars: 500, ...(cursor ? { cursor } : {}) });
      cursor = page?.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBeGreaterThan(10);
    expect(gets).toBe(1);
    await cache.set("t", [1]);
    expect((await cache.page("t"))?.value).toEqual([1]);
    expect(gets).toBe(2);
    await cache.close();
  });
});

describe("valueBudget and maxValueBytes", () => {
  it("default to 20,000 / 40,000 characters and validate their options", () => {
    expect(new RefCache().valueBudget).toEqual({ maxChars: DEFAULT_MAX_CHARS, maxFullChars: DEFAULT_MAX_FULL_CHARS });
    expect(new RefCache({ valueBudget: { maxChars: 50_000 } }).valueBudget.maxFullChars).toBe(50_000);
    for (const valueBudget of [
      { maxChars: 63 },
      { maxChars: 1_000, maxFullChars: 999 },
      { measure: "tokens" },
      { other: 1 },
    ]) {
      expect(() => new RefCache({ valueBudget } as never)).toThrow(
        expect.objectContaining({ code: "VALIDATION_ERROR" }),
      );
    }
  });

  it("resolveValueBudget: a tool's override, a tool with no budget, and a client's maxChars capped at the budget", () => {
    const server = new RefCache({ valueBudget: { maxChars: 10_000 } }).valueBudget;
    expect(resolveValueBudget(server)).toBe(server);
    expect(resolveValueBudget(server, false)).toBe(false);
    expect(resolveValueBudget(server, { maxChars: 30_000 })).toEqual({ maxChars: 30_000, maxFullChars: 40_000 });
    expect(resolveValueBudget(server, undefined, 500)).toMatchObject({ maxChars: 500 });
    expect(resolveValueBudget(server, undefined, 1_000_000)).toMatchObject({ maxChars: 10_000 });
    expect(resolveValueBudget(server, { maxChars: 30_000 }, 1_000_000)).toMatchObject({ maxChars: 30_000 });
    const measure = (t: string) => Math.ceil(t.length / 3);
    const tokens = resolveValueBudget(server, { measure, unit: "tokens" });
    expect(tokens).toMatchObject({ maxChars: 10_000, unit: "tokens" });
    expect(tokens === false ? undefined : tokens.measure?.("abcdefg")).toBe(3);
    // A coarse measure (kilobytes) counts the probe too.
    expect(resolveValueBudget(server, { measure: (t) => Math.floor(t.length / 1024), unit: "KiB" })).toMatchObject({
      unit: "KiB",
    });
    // A unit names what a measure counts: not without one; a measure must count something.
    for (const bad of [{ unit: "tokens" }, { measure: () => 0 }, { measure: () => Number.NaN }]) {
      expect(() => resolveValueBudget(server, bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: "VALIDATION_ERROR" }),
      );
    }
    // A client's maxChars of any size is capped at the budget; below 64, or not whole, it is refused.
    for (const huge of [2 ** 31, Number.MAX_SAFE_INTEGER]) {
      expect(resolveValueBudget(server, undefined, huge)).toMatchObject({ maxChars: 10_000 });
    }
    for (const bad of [64.5, Number.MAX_SAFE_INTEGER + 1, Number.POSITIVE_INFINITY]) {
      expect(() => resolveValueBudget(server, undefined, bad)).toThrow(
        expect.objectContaining({ code: "VALIDATION_ERROR" }),
      );
    }
    expect(() => resolveValueBudget(server, undefined, 10)).toThrow(
      expect.objectContaining({ code: "VALIDATION_ERROR" }),
    );
    expect(() => resolveValueBudget(server, { maxChars: 1 })).toThrow(
      expect.objectContaining({ code: "VALIDATION_ERROR" }),
    );
  });

  it("shares decoded values among caches made per request (decodedValues): a value is read whole once", async () => {
    class CountingStore extends MemoryStore {
      wholeReads = 0;
      override async get(key: string) {
        this.wholeReads++;
        return super.get(key);
      }
    }
    const value = Array.from({ length: 3_000 }, (_, id) => ({ id, name: `row ${id}` }));
    const pageAll = async (store: CountingStore, shared?: DecodedValues) => {
      const taskStore = new MemoryTaskStore({ store });
      // A cache per request, as on Workers: made, used for one page, closed.
      const perRequest = () =>
        new RefCache({ store, taskStore, ...(shared === undefined ? {} : { decodedValues: shared }) });
      const first = perRequest();
      await first.set("big", value);
      await first.close();
      let cursor: string | undefined;
      let pages = 0;
      do {
        const cache = perRequest();
        const page = await cache.page("big", { maxChars: 2_000, ...(cursor === undefined ? {} : { cursor }) });
        await cache.close();
        cursor = page?.nextCursor;
        pages++;
      } while (cursor !== undefined);
      return { pages, wholeReads: store.wholeReads };
    };
    const alone = await pageAll(new CountingStore());
    const shared = await pageAll(new CountingStore(), new DecodedValues());
    expect(alone.pages).toBeGreaterThan(20);
    expect(alone.wholeReads).toBe(alone.pages);
    expect(shared).toEqual({ pages: alone.pages, wholeReads: 1 });
  });

  it("refuses a value its store can never take (dataTooLarge) in set and in a task's result, at once", async () => {
    class SmallStore extends MemoryStore {
      dataTooLarge(data: string): string | undefined {
        return data.length > 100 ? `${data.length} characters, past the 100 this store holds` : undefined;
      }
    }
    const cache = new RefCache({ store: new SmallStore() });
    await cache.set("k", "small");
    await expect(cache.set("k", "x".repeat(200))).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
      message: expect.stringContaining("202 characters, past the 100 this store holds"),
    });
    expect(await cache.get("k")).toBe("small");
    await cache.registerTask("job", async () => "y".repeat(200));
    await until(() => cache.getTaskStatus("job")?.status === "failed");
    expect(cache.getTaskStatus("job")?.error).toMatch(/^result could not be stored: .*past the 100/);
    await cache.close();
  });

  it("refuses a value larger than maxValueBytes (UTF-8) in set and completeTask, keeping what was stored", async () => {
    const cache = new RefCache({ maxValueBytes: 1_000 });
    await cache.set("k", "small");
    await expect(cache.set("k", "x".repeat(1_000))).rejects.toMatchObject({ code: "VALIDATION_ERROR", refId: "k" });
    await expect(cache.set("k", "é".repeat(500))).rejects.toMatchObject({ code: "VALIDATION_ERROR" }); // 1,002 bytes
    expect(await cache.set("k", "é".repeat(498))).toMatchObject({ key: "k" }); // 998 bytes
    await cache.registerTask("job", {});
    await expect(cache.completeTask("job", "x".repeat(2_000))).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    expect(await cache.get("k")).toBe("é".repeat(498));
    expect(cache.maxValueBytes).toBe(1_000);
    expect(() => new RefCache({ maxValueBytes: 0 })).toThrow(expect.objectContaining({ code: "VALIDATION_ERROR" }));
    await cache.close();
  });
});

describe("PageOptionsSchema and PreviewOptionsSchema fast paths", () => {
  it("accept and refuse exactly what the schemas do", async () => {
    const { PageOptionsSchema, PreviewOptionsSchema } = await import("../src/index.js");
    const { parseOrThrow } = await import("../src/parse.js");
    const field = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 5 }),
      fc.integer({ min: -10, max: 200 }),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(2 ** 31),
    );
    const input = fc.record(
      { cursor: field, path: field, maxChars: field, owner: field, other: field },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(input, (options) => {
        for (const schema of [PageOptionsSchema, PreviewOptionsSchema]) {
          const expected = schema.safeParse(options);
          let got: unknown;
          try {
            got = parseOrThrow(schema, options, "options");
          } catch {
            got = "refused";
          }
          expect(got).toEqual(expected.success ? expected.data : "refused");
        }
      }),
      { numRuns: 500 },
    );
  });
});
