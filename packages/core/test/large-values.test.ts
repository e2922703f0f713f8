import { describe, expect, it } from "vitest";
import { MemoryStore, RefCache } from "../src/index.js";
import { useCaches } from "./helpers.js";

const makeCache = useCaches();

/** A value whose JSON text is `rows` × about 70 characters (large ones keep their decoded tree). */
function table(rows: number, tag = "a"): { rows: { id: number; name: string; tags: string[] }[] } {
  return { rows: Array.from({ length: rows }, (_, id) => ({ id, name: `row ${id} ${tag}`, tags: [tag, "x"] })) };
}

describe("large values", () => {
  it("read back equal to what was stored, as a fresh copy each time", async () => {
    const { cache } = makeCache();
    const value = table(2_000);
    await cache.set("big", value);
    const first = (await cache.get("big")) as ReturnType<typeof table>;
    const second = (await cache.get("big")) as ReturnType<typeof table>;
    expect(first).toEqual(value);
    expect(second).toEqual(value);
    expect(second).not.toBe(first);
    expect(second.rows[0]).not.toBe(first.rows[0]);
    first.rows[0]?.tags.push("changed");
    first.rows.pop();
    expect(await cache.get("big")).toEqual(value);
    expect((await cache.getEntry("big"))?.value).toEqual(value);
  });

  it("give what JSON.parse gives, an own __proto__ property included", async () => {
    const { cache } = makeCache();
    const text = `{"__proto__":{"polluted":true},"rows":${JSON.stringify(table(1_500).rows)}}`;
    await cache.set("proto", JSON.parse(text));
    for (let read = 0; read < 2; read++) {
      const value = (await cache.get("proto")) as Record<string, unknown>;
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect(Object.hasOwn(value, "__proto__")).toBe(true);
      expect(value).toEqual(JSON.parse(text));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it("show a replacement at once, made here or by another cache sharing the store", async () => {
    const store = new MemoryStore();
    const { cache } = makeCache({ store });
    const other = new RefCache({ store });
    await cache.set("big", table(2_000, "first"));
    expect(await cache.get("big")).toEqual(table(2_000, "first"));
    await cache.set("big", table(2_000, "second"));
    expect(await cache.get("big")).toEqual(table(2_000, "second"));
    await other.set("big", table(2_000, "third"));
    expect(await cache.get("big")).toEqual(table(2_000, "third"));
    expect(await cache.delete("big")).toBe(true);
    expect(await cache.get("big")).toBeUndefined();
    await other.close();
  });

  it("stay correct when more are read than are kept decoded", async () => {
    const { cache } = makeCache();
    // 80 values of about 140 kB: more text than the decoded trees may hold at once.
    for (let i = 0; i < 80; i++) await cache.set(`v${i}`, table(2_000, `t${i}`));
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < 80; i += 7) expect(await cache.get(`v${i}`)).toEqual(table(2_000, `t${i}`));
    }
    // About 11 MB encoded and compared: seconds on a busy 2-core machine, so not the default 5 s limit.
  }, 60_000);
});
