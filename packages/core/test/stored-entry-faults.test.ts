/**
 * What another writer sharing the store (a Python service, an older release, a store with a fault) may
 * leave under a key, read through every value read path: text that is not JSON, bookkeeping core never
 * writes, write times that are not whole numbers. Each is a typed error naming the key and never quoting
 * the value, or read as it is, with cursors that are taken back. And a reference to another owner's value
 * is refused on its bookkeeping, in one read, before anything of it is checked or decoded.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { nestedDeeperThan } from "../src/codec.js";
import { MAX_VALUE_DEPTH, MemoryStore, RefCache, resolveRefs, type TaskInfo } from "../src/index.js";
import {
  answerCachedResult,
  finishedTaskToolResult,
  readRefResource,
  refResourceUri,
  toDetailedTaskV2,
} from "../src/mcp/index.js";
import { versionOf } from "../src/models.js";
import type { Store, StoreEntry, StoreEntryMeta } from "../src/store.js";
import { decodeCursor, encodeCursor } from "../src/values/cursor.js";

const SECRET = "hunter2-secret";

/** Every way a client or the server reads a value, each settling to its answer or its error. */
function readsOf(cache: RefCache, key: string, owner?: string) {
  const scope = owner === undefined ? {} : { owner };
  return {
    get: () => cache.get(key, scope),
    getEntry: () => cache.getEntry(key, scope),
    preview: () => cache.preview(key, scope),
    page: () => cache.page(key, { ...scope, maxChars: 64 }),
    pageByPath: () => cache.page(key, { ...scope, maxChars: 64, path: "/0" }),
  };
}

const settle = async (read: () => Promise<unknown>) => {
  try {
    return { ok: true as const, value: await read() };
  } catch (error) {
    return { ok: false as const, error: error as Error & { code?: string } };
  }
};

/** A MemoryStore that counts whole reads (`get`) and bookkeeping reads (`stat`). */
class CountingStore extends MemoryStore {
  gets = 0;
  stats = 0;
  override async get(key: string): Promise<StoreEntry | undefined> {
    this.gets++;
    return super.get(key);
  }
  override async stat(key: string) {
    this.stats++;
    return super.stat(key);
  }
}

/**
 * A store that keeps whatever it holds as it is and hands it back so: what another writer sharing a Redis
 * or a store with a fault gives core.
 */
class RawStore implements Store {
  readonly entries = new Map<string, StoreEntry>();
  writes = 0;
  async get(key: string): Promise<StoreEntry | undefined> {
    return this.entries.get(key);
  }
  async stat(key: string): Promise<StoreEntryMeta | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    const { data: _, ...meta } = entry;
    return meta;
  }
  async set(key: string, entry: StoreEntry): Promise<void> {
    this.writes++;
    this.entries.set(key, entry);
  }
  async delete(key: string): Promise<boolean> {
    this.writes++;
    return this.entries.delete(key);
  }
}

describe("stored text that is not JSON", () => {
  const texts = [
    `{"ratio": NaN, "password": "${SECRET}"}`,
    `[1,2,Infinity,"${SECRET}"]`,
    `["${SECRET}",`,
    `{"k\\x":"${SECRET}"}`,
    `[{"a":1},{"b":"${SECRET}"},{'c':3}]`,
  ];

  it("is STORE_ERROR on every read path, naming the key and never quoting the text", async () => {
    for (const data of texts) {
      const store = new MemoryStore();
      await store.set("bad", { data, createdAt: Date.now(), version: 1 });
      const cache = new RefCache({ store });
      for (const [name, read] of Object.entries(readsOf(cache, "bad"))) {
        const outcome = await settle(read);
        // A page cut from the text before the fault is fine; what is decoded past it is refused.
        if (outcome.ok) {
          expect(["page", "pageByPath"], `${name} of ${data}`).toContain(name);
          continue;
        }
        expect(outcome.error.code, `${name} of ${data}`).toBe("STORE_ERROR");
        expect(outcome.error.message).toContain('"bad"');
        expect(outcome.error.message).not.toContain(SECRET);
        expect(JSON.stringify(outcome.error)).not.toContain(SECRET);
      }
      await cache.close();
    }
  });

  it("paged to the end fails with STORE_ERROR, never a SyntaxError, and never shows the text", async () => {
    const data = `[${Array.from({ length: 30 }, (_, i) => `"item ${i}"`).join(",")},NaN,"${SECRET}"]`;
    const store = new MemoryStore();
    await store.set("bad", { data, createdAt: Date.now(), version: 1 });
    const cache = new RefCache({ store });
    let cursor: string | undefined;
    let failure: (Error & { code?: string }) | undefined;
    for (let i = 0; i < 50 && failure === undefined; i++) {
      const outcome = await settle(() => cache.page("bad", { maxChars: 64, ...(cursor ? { cursor } : {}) }));
      if (!outcome.ok) failure = outcome.error;
      else cursor = (outcome.value as { nextCursor?: string }).nextCursor;
      if (outcome.ok && cursor === undefined) break;
    }
    expect(failure?.code).toBe("STORE_ERROR");
    expect(failure?.message).not.toContain(SECRET);
    await cache.close();
  });

  it("is not shown through another owner's reference: unavailable, as an unknown id", async () => {
    const store = new MemoryStore();
    await store.set("a-value", { data: texts[0] as string, createdAt: Date.now(), version: 1, owner: "auth:a" });
    const cache = new RefCache({ store });
    const refusal = await settle(() =>
      resolveRefs(cache, { t: { refId: "a-value" } }, { t: z.unknown() }, { owner: "auth:b" }),
    );
    const unknown = await settle(() =>
      resolveRefs(cache, { t: { refId: "no-value" } }, { t: z.unknown() }, { owner: "auth:b" }),
    );
    expect(refusal.ok).toBe(false);
    expect(refusal.ok ? undefined : refusal.error.code).toBe("REFERENCE_UNAVAILABLE");
    expect(refusal.ok ? "" : refusal.error.message.replaceAll("a-value", "no-value")).toBe(
      unknown.ok ? undefined : unknown.error.message,
    );
    await cache.close();
  });
});

describe("stored text nested deeper than core writes", () => {
  it("is STORE_ERROR on every client read that walks it, never a RangeError; get still decodes it", async () => {
    for (const levels of [MAX_VALUE_DEPTH + 1, 5_000, 20_000]) {
      const data = `${"[".repeat(levels)}1${"]".repeat(levels)}`;
      const store = new MemoryStore();
      await store.set("deep", { data, createdAt: Date.now(), version: 1, owner: "auth:a" });
      const cache = new RefCache({ store });
      const owner = { owner: "auth:a" };
      const context = { owner: "auth:a", pollIntervalMs: 100 };
      const reads = {
        preview: () => cache.preview("deep", owner),
        page: () => cache.page("deep", { ...owner, maxChars: 64 }),
        getCachedResult: () => answerCachedResult(cache, { refId: "deep" }, context),
        resource: () => readRefResource(cache, refResourceUri("deep"), owner),
        finished: () =>
          finishedTaskToolResult(cache, { refId: "deep", status: "complete" } as TaskInfo, "auth:a", {
            budget: cache.valueBudget,
          }),
        detailedTask: async () => {
          const task = { refId: "deep", status: "complete", startedAt: 1, updatedAt: 2 } as TaskInfo;
          return toDetailedTaskV2(task, { ttlMs: null }, await cache.get("deep"), { budget: cache.valueBudget });
        },
      };
      for (const [name, read] of Object.entries(reads)) {
        const outcome = await settle(read);
        // At 20,000 levels every walk of the tree runs out of stack: each such read must fail, as a
        // STORE_ERROR. A page of the root is cut from the text (one partial item), with no walk.
        if (levels === 20_000 && name !== "page") {
          const kind = outcome.ok
            ? (outcome.value as { structuredContent?: { error?: { kind: string } } })?.structuredContent?.error?.kind
            : outcome.error.code;
          expect([name, kind]).toEqual([name, expect.stringMatching(/^(STORE_ERROR|unavailable)$/)]);
        }
        // Shallower, what walks only a few levels (a page cut from the text) may pass.
        if (outcome.ok) {
          const error = (outcome.value as { structuredContent?: { error?: { kind: string; message: string } } })
            ?.structuredContent?.error;
          if (error !== undefined)
            expect([name, error.kind, error.message]).toEqual([
              name,
              "unavailable",
              expect.stringMatching(/nested deeper than 200 levels/),
            ]);
          continue;
        }
        expect([name, outcome.error.code], `${levels} levels`).toEqual([name, "STORE_ERROR"]);
        expect(outcome.error.message).toMatch(/nested deeper than 200 levels/);
      }
      expect(nestedDeeperThan(await cache.get("deep"), MAX_VALUE_DEPTH)).toBe(true);
      await cache.close();
    }
  });

  it("is told apart from a value as deep as core writes", () => {
    let value: unknown = 1;
    for (let i = 0; i < MAX_VALUE_DEPTH; i++) value = i % 2 === 0 ? [value] : { v: value };
    expect(nestedDeeperThan(value, MAX_VALUE_DEPTH)).toBe(false);
    expect(nestedDeeperThan([value], MAX_VALUE_DEPTH)).toBe(true);
    expect(nestedDeeperThan({ a: 1, b: [[]] }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: 1, b: [[]] }, 2)).toBe(true);
  });
});

describe("bookkeeping core never writes", () => {
  const faults: [string, Record<string, unknown>][] = [
    ["createdAt", { createdAt: Number.NaN }],
    ["createdAt", { createdAt: "1732999999999" }],
    ["createdAt", { createdAt: -1 }],
    ["createdAt", { createdAt: Number.POSITIVE_INFINITY }],
    ["expiresAt", { expiresAt: Number.NaN }],
    ["expiresAt", { expiresAt: "soon" }],
    ["version", { version: Number.NaN }],
    ["version", { version: 1.5 }],
    ["version", { version: -3 }],
    ["version", { version: "7" }],
    ["executeOnly", { executeOnly: "yes" }],
    ["data", { data: 42 }],
  ];

  it("is STORE_ERROR naming the field on every read path, and the entry is left as it is", async () => {
    for (const [field, fault] of faults) {
      const entry = { data: `["${SECRET}"]`, createdAt: Date.now(), version: 1, ...fault } as unknown as StoreEntry;
      const store = new RawStore();
      store.entries.set("junk", entry);
      const cache = new RefCache({ store });
      const reads = {
        ...readsOf(cache, "junk"),
        info: () => cache.getEntryInfo("junk"),
        referenced: () => cache.getReferenced("junk"),
      };
      for (const [name, read] of Object.entries(reads)) {
        if (field === "data" && name === "info") continue; // bookkeeping alone is sound
        const outcome = await settle(read);
        expect(outcome.ok, `${name} with ${JSON.stringify(fault)}`).toBe(false);
        if (outcome.ok) continue;
        expect(outcome.error.code).toBe("STORE_ERROR");
        expect(outcome.error.message).toContain(`whose ${field} is not one this library writes`);
        expect(outcome.error.message).not.toContain(SECRET);
      }
      expect(store.entries.get("junk")).toBe(entry);
      expect(store.writes).toBe(0);
      // Still there to be told of and removed: has and delete read no more than the owner.
      expect(await cache.has("junk")).toBe(true);
      expect(await cache.delete("junk")).toBe(true);
      expect(store.entries.has("junk")).toBe(false);
      await cache.close();
    }
  });

  it("with no text at all is STORE_ERROR on a whole read, never a TypeError", async () => {
    const store = new RawStore();
    store.entries.set("bare", { createdAt: Date.now(), version: 1 } as unknown as StoreEntry);
    const cache = new RefCache({ store });
    for (const read of Object.values(readsOf(cache, "bare"))) {
      await expect(read()).rejects.toMatchObject({ code: "STORE_ERROR" });
    }
    await cache.close();
  });

  it("of another owner's entry is not told: the entry reads as absent", async () => {
    const store = new RawStore();
    store.entries.set("junk", { data: "[1]", createdAt: Number.NaN, version: 1, owner: "auth:a" });
    const cache = new RefCache({ store });
    for (const read of Object.values(readsOf(cache, "junk", "auth:b"))) expect(await read()).toBeUndefined();
    // Nor through a reference: refused as an unknown id is.
    const refusals = await Promise.all(
      ["junk", "nothing"].map(async (refId) => {
        const outcome = await settle(() =>
          resolveRefs(cache, { t: { refId } }, { t: z.unknown() }, { owner: "auth:b" }),
        );
        return outcome.ok ? "resolved" : `${outcome.error.code}: ${outcome.error.message.replaceAll(refId, "<id>")}`;
      }),
    );
    expect(refusals[0]).toMatch(/^REFERENCE_UNAVAILABLE/);
    expect(refusals[0]).toBe(refusals[1]);
    await cache.close();
  });
});

describe("write times that are not whole numbers, or very large", () => {
  it("give versions a cursor carries, for every write time and version a store may hold", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }), fc.nat(), fc.maxSafeNat()),
        fc.option(fc.maxSafeNat(), { nil: undefined }),
        fc.nat({ max: 10 ** 15 }),
        (createdAt, version, offset) => {
          const text = versionOf(version === undefined ? { createdAt } : { createdAt, version });
          const cursor = encodeCursor({ version: text, offset, path: "/a" });
          expect(decodeCursor(cursor)).toEqual({ version: text, offset, path: "/a" });
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("tell write times apart: two entries of one version number but different times never share a version", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
        fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }),
        fc.nat(),
        (a, b, version) => {
          fc.pre(a !== b);
          expect(versionOf({ createdAt: a, version })).not.toBe(versionOf({ createdAt: b, version }));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("page to the end: a fractional (time.time() * 1000) or huge write time", async () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ i, name: `row ${i}` }));
    for (const createdAt of [Date.now() + 0.25, 1.7e12 + 1e-3, 1e300, 2 ** 53 + 2]) {
      const store = new MemoryStore();
      await store.set("t", { data: JSON.stringify(rows), createdAt, version: 7 });
      const cache = new RefCache({ store });
      const got: unknown[] = [];
      let cursor: string | undefined;
      do {
        const page = await cache.page("t", { maxChars: 200, ...(cursor ? { cursor } : {}) });
        if (page === undefined) throw new Error(`no page of the value written at ${createdAt}`);
        got.push(...(page.value as unknown[]));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(got).toEqual(rows);
      await cache.close();
    }
  });
});

describe("another owner's value", () => {
  it("is refused by reference in one store read, never decoded; what the caller may use is read once too", async () => {
    const store = new CountingStore();
    const cache = new RefCache({ store });
    const rows = Array.from({ length: 1_000 }, (_, i) => `row ${i}`);
    await cache.set("a-big", rows, { owner: "auth:a" });
    await cache.set("server-secret", { key: SECRET }, { executeOnly: true });
    await cache.set("server-only", { key: SECRET });
    store.gets = 0;
    for (const refId of ["a-big", "server-only"]) {
      await expect(resolveRefs(cache, { t: { refId } }, { t: z.unknown() }, { owner: "auth:b" })).rejects.toMatchObject(
        { code: "REFERENCE_UNAVAILABLE" },
      );
    }
    expect(await cache.getReferenced("a-big", { owner: "auth:b" })).toBeUndefined();
    expect(store.gets).toBe(3);
    // Its own value, and a server's execute-only one.
    expect(
      await resolveRefs(cache, { t: { refId: "a-big", path: "/1" } }, { t: z.string() }, { owner: "auth:a" }),
    ).toEqual({ t: "row 1" });
    expect(
      await resolveRefs(cache, { t: { refId: "server-secret", path: "/key" } }, { t: z.string() }, { owner: "auth:b" }),
    ).toEqual({ t: SECRET });
    expect(store.gets).toBe(5);
    expect(await cache.getReferenced("a-big", { owner: "auth:a" })).toMatchObject({ key: "a-big", value: rows });
    expect(await cache.getReferenced("a-big")).toMatchObject({ owner: "auth:a", value: rows });
    await cache.close();
  });

  it("getEntryInfo gives the metadata getEntry gives, without the value", async () => {
    const cache = new RefCache();
    await cache.set("k", { a: 1 }, { owner: "auth:a", ttlMs: 60_000 });
    const { value, ...info } = (await cache.getEntry("k", { owner: "auth:a" })) as { value: unknown };
    expect(value).toEqual({ a: 1 });
    expect(await cache.getEntryInfo("k", { owner: "auth:a" })).toEqual(info);
    expect(await cache.getEntryInfo("k")).toEqual(info);
    expect(await cache.getEntryInfo("missing")).toBeUndefined();
    await expect(cache.getEntryInfo("")).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await cache.close();
  });
});
