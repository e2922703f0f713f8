/**
 * Previews and pages of values stored in the real Redis: versions survive the hash layout (old hashes
 * without one still read), a page after the first reads only the entry's bookkeeping, and paging a large
 * value to its end gives it back exactly.
 */
import { RefCache } from "@mcp-refcache/core";
import { expect, it } from "vitest";
import { describeRedis, rawClient, useStores } from "./redis-fixture.js";

const stores = useStores();

describeRedis("values on Redis: previews and pages", () => {
  it("reads a value hash written before versions existed, with a version derived from its write time", async () => {
    const { store, taskStore, prefix } = stores();
    const raw = rawClient();
    await raw.hset(`${prefix}v:old`, { d: '{"rows":[1,2,3]}', c: "1700000000000", e: "", o: "" });
    raw.disconnect();
    const entry = await store.get("old");
    expect(entry).toEqual({ data: '{"rows":[1,2,3]}', createdAt: 1_700_000_000_000 });
    const cache = new RefCache({ store, taskStore });
    const info = await cache.getEntry("old");
    expect(info?.version).toBe(`t${(1_700_000_000_000).toString(36)}`);
    const page = await cache.page("old", { path: "/rows" });
    expect(page).toMatchObject({ value: [1, 2, 3], total: 3, version: info?.version });
    await cache.close();
  });

  it("pages a large value to its end, each page within its budget, reassembling it exactly", async () => {
    const { store, taskStore } = stores();
    const cache = new RefCache({ store, taskStore });
    const rows = Array.from({ length: 20_000 }, (_, id) => ({ id, name: `row ${id}`, score: (id * 7) % 100 }));
    const written = await cache.set("big", { rows, note: "é".repeat(5_000) });
    const preview = await cache.preview("big", { maxChars: 2_000 });
    expect(preview?.chars).toBeLessThanOrEqual(2_000);
    expect(preview?.totalChars).toBe(JSON.stringify({ rows, note: "é".repeat(5_000) }).length);
    const seen: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await cache.page("big", { path: "/rows", maxChars: 20_000, ...(cursor ? { cursor } : {}) });
      expect(page?.version).toBe(written.version);
      expect(JSON.stringify(page?.value).length).toBeLessThanOrEqual(20_000);
      seen.push(...((page?.value ?? []) as unknown[]));
      cursor = page?.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual(rows);
    let note = "";
    cursor = undefined;
    do {
      const page = await cache.page("big", { path: "/note", maxChars: 64, ...(cursor ? { cursor } : {}) });
      note += page?.value as string;
      cursor = page?.nextCursor;
    } while (cursor !== undefined);
    expect(note).toBe("é".repeat(5_000));
    await cache.close();
  });

  it("hides a value from another owner and refuses a cursor after another instance overwrote the value", async () => {
    const { store, taskStore } = stores();
    const a = new RefCache({ store, taskStore });
    const b = new RefCache({ store, taskStore });
    await a.set(
      "mine",
      Array.from({ length: 1_000 }, (_, i) => i),
      { owner: "alice" },
    );
    expect(await a.page("mine", { owner: "bob" })).toBeUndefined();
    expect(await a.preview("mine", { owner: "bob" })).toBeUndefined();
    const first = await a.page("mine", { owner: "alice", maxChars: 100 });
    expect(first?.nextCursor).toBeDefined();
    await b.set("mine", [1], { owner: "alice" });
    await expect(a.page("mine", { owner: "alice", cursor: first?.nextCursor as string })).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
    });
    await Promise.all([a.close(), b.close()]);
  });
});
