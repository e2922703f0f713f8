/** The store conformance suite, part one: the value `Store`. */
import { describe, expect, it } from "vitest";
import type { StoreEntry } from "../store.js";
import { draft, type WithStores } from "./conformance-support.js";

export function describeValueStoreConformance(name: string, withStores: WithStores): void {
  describe(`${name}: value Store`, () => {
    it(
      "writes, reads, stats and deletes entries",
      withStores(async ({ store }) => {
        expect(await store.get("k")).toBeUndefined();
        await store.set("k", { data: '{"n":1}', createdAt: 1, expiresAt: Date.now() + 60_000, owner: "o" });
        expect(await store.get("k")).toMatchObject({ data: '{"n":1}', createdAt: 1, owner: "o" });
        if (store.stat !== undefined) expect(await store.stat("k")).not.toHaveProperty("data");
        expect(await store.delete("k")).toBe(true);
        expect(await store.delete("k")).toBe(false);
      }),
    );

    it(
      "keeps every field of an entry: set → get and stat, and a task's result written with its update",
      withStores(async ({ store, taskStore }) => {
        const now = Date.now();
        // `satisfies Required<…>`: a field added to StoreEntry fails to compile here until it is checked.
        const full = {
          data: '{"n":"ü😀"}',
          createdAt: now,
          expiresAt: now + 60_000,
          owner: "owner-ü",
          version: 123_456_789,
          // A store that dropped this would hand an execute-only secret to every read path.
          executeOnly: true,
        } satisfies Required<StoreEntry>;
        await store.set("k", full);
        expect(await store.get("k")).toEqual(full);
        if (store.stat !== undefined) {
          const { data: _data, ...meta } = full;
          expect(await store.stat("k")).toEqual(meta);
        }
        await taskStore.create(draft("t", now));
        const done = { ...draft("t", now), status: "complete" as const, completedAt: now };
        delete done.leaseMs;
        await taskStore.update(done, 1, full);
        expect(await store.get("t")).toEqual(full);
      }),
    );

    it(
      "with nativeExpiry, hands out no entry past its time to live, on the store's own clock",
      withStores(async ({ store }) => {
        // A store without it leaves expiry to the RefCache's clock: nothing to hold it to here.
        if (store.nativeExpiry !== true) return;
        const now = Date.now();
        await store.set("short", { data: "1", createdAt: now, expiresAt: now + 200 });
        await store.set("long", { data: "2", createdAt: now, expiresAt: now + 60_000 });
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        expect(await store.get("short")).toBeUndefined();
        if (store.stat !== undefined) expect(await store.stat("short")).toBeUndefined();
        expect(await store.get("long")).toMatchObject({ data: "2" });
      }),
    );

    it(
      "replaces an entry whole: nothing of the old one (expiry, owner) outlives an overwrite",
      withStores(async ({ store }) => {
        await store.set("k", {
          data: "1",
          createdAt: 1,
          expiresAt: Date.now() + 60_000,
          owner: "o",
          version: 7,
          executeOnly: true,
        });
        await store.set("k", { data: "2", createdAt: 2 });
        const entry = await store.get("k");
        expect(entry).toMatchObject({ data: "2", createdAt: 2 });
        expect(entry?.expiresAt).toBeUndefined();
        expect(entry?.owner).toBeUndefined();
        expect(entry?.version).toBeUndefined();
        expect(entry?.executeOnly).toBeUndefined();
      }),
    );
  });
}
