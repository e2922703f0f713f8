import { RefCache } from "@mcp-refcache/core";
import { expect, it } from "vitest";
import { describeRedis, keysUnder, rawClient, sleep, useStores } from "./redis-fixture.js";

const stores = useStores();

describeRedis("value store", () => {
  it("keeps the encoded text, timestamps and owner of an entry", async () => {
    const { store } = stores();
    await store.set("k", { data: '{"a":[1,"x"]}', createdAt: 10, expiresAt: 60_010, owner: "alice" });
    expect(await store.get("k")).toEqual({ data: '{"a":[1,"x"]}', createdAt: 10, expiresAt: 60_010, owner: "alice" });
    expect(await store.stat("k")).toEqual({ createdAt: 10, expiresAt: 60_010, owner: "alice" });
    expect(await store.get("missing")).toBeUndefined();
    expect(await store.stat("missing")).toBeUndefined();
  });

  it("replaces an entry whole: no owner or expiry survives from the old one", async () => {
    const { store, prefix } = stores();
    await store.set("k", { data: "1", createdAt: 1, expiresAt: 100_000, owner: "alice" });
    await store.set("k", { data: "2", createdAt: 2 });
    expect(await store.get("k")).toEqual({ data: "2", createdAt: 2 });
    expect(await store.stat("k")).toEqual({ createdAt: 2 });
    const raw = rawClient();
    expect(await raw.pttl(`${prefix}v:k`)).toBe(-1);
    raw.disconnect();
  });

  it("lets Redis expire values natively, from the entry's own time to live", async () => {
    const { store, prefix } = stores();
    // The cache's clock may be far from wall time: only expiresAt − createdAt matters. Two seconds to live
    // leave a loaded machine room to look at it first (50 ms did not, once).
    const raw = rawClient();
    await store.set("short", { data: "1", createdAt: 5, expiresAt: 2_005 });
    const pttl = await raw.pttl(`${prefix}v:short`);
    raw.disconnect();
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(2_000);
    expect(await store.get("short")).toBeDefined();
    const end = Date.now() + 10_000;
    while ((await store.get("short")) !== undefined) {
      if (Date.now() > end) throw new Error("short: not expired within 10 s of its 2 s time to live");
      await sleep(20);
    }
  });

  it("deletes and says whether something was there", async () => {
    const { store } = stores();
    await store.set("k", { data: "null", createdAt: 1 });
    expect(await store.delete("k")).toBe(true);
    expect(await store.delete("k")).toBe(false);
    expect(await store.get("k")).toBeUndefined();
  });

  it("rejects bad keys and entries with VALIDATION_ERROR and keeps the old entry", async () => {
    const { store } = stores();
    await store.set("k", { data: "1", createdAt: 1 });
    const bad = [
      () => store.set("k", { data: 1 as unknown as string, createdAt: 1 }),
      () => store.set("k", { data: "2", createdAt: Number.NaN }),
      () => store.set("k", { data: "2", createdAt: 1, expiresAt: -5 }),
      () => store.set("", { data: "2", createdAt: 1 }),
      () => store.get("has space"),
      () => store.delete(undefined as unknown as string),
    ];
    for (const call of bad) await expect(call()).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    expect(await store.get("k")).toEqual({ data: "1", createdAt: 1 });
  });

  it("hands on what another writer left in a hash as it is, for core to refuse: never read as readable", async () => {
    const made = stores();
    const raw = rawClient();
    const cache = new RefCache({ store: made.store, taskStore: made.taskStore });
    try {
      // Each field as no script writes it: an execute-only flag of another form, numbers that are not decimal.
      const odd: [string, Record<string, string>][] = [
        ["x-true", { x: "true" }],
        ["x-zero", { x: "0" }],
        ["c-blank", { c: " " }],
        ["c-hex", { c: "0x10" }],
        ["e-blank", { e: " " }],
        ["n-hex", { n: "0x1" }],
      ];
      for (const [key, fields] of odd) {
        await cache.set(key, { secret: 1 }, { owner: "auth:alice" });
        const [hash] = await keysUnder(raw, `${made.prefix}`).then((keys) => keys.filter((k) => k.endsWith(`:${key}`)));
        await raw.hset(hash as string, fields);
        for (const read of [
          () => cache.get(key, { owner: "auth:alice" }),
          () => cache.getEntryForClient(key, { owner: "auth:alice" }),
          () => cache.preview(key, { owner: "auth:alice" }),
          () => cache.page(key, { owner: "auth:alice" }),
        ]) {
          await expect(read(), `${key} ${JSON.stringify(fields)}`).rejects.toMatchObject({ code: "STORE_ERROR" });
        }
      }
      // Bookkeeping without its text: `has` still reaches it (so it can be deleted), every read refuses it.
      await cache.set("no-text", [1, 2], { owner: "auth:alice" });
      const [hash] = (await keysUnder(raw, made.prefix)).filter((k) => k.endsWith(":no-text"));
      await raw.hdel(hash as string, "d");
      expect(await cache.has("no-text", { owner: "auth:alice" })).toBe(true);
      await expect(cache.get("no-text", { owner: "auth:alice" })).rejects.toMatchObject({ code: "STORE_ERROR" });
      expect(await cache.delete("no-text", { owner: "auth:alice" })).toBe(true);
    } finally {
      await cache.close();
      raw.disconnect();
    }
  });
});
