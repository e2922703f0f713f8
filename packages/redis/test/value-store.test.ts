import { expect, it } from "vitest";
import { describeRedis, rawClient, sleep, useStores } from "./redis-fixture.js";

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
});
