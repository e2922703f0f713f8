import { describe, expect, it, vi } from "vitest";
import { KeyOwnedByTaskError, MemoryStore, type Store, StoreError, ValidationError } from "../src/index.js";
import { deferred, flush, until, useCaches } from "./helpers.js";

const makeCache = useCaches();

describe("set / get / has / delete", () => {
  it("stores and returns values", async () => {
    const { cache, clock } = makeCache();
    const info = await cache.set("k", { a: [1, 2] });
    expect(info).toEqual({
      key: "k",
      createdAt: clock.time,
      expiresAt: clock.time + 3_600_000,
      version: expect.stringMatching(/^[0-9a-z]+-[0-9a-z]+$/),
    });
    expect(await cache.get("k")).toEqual({ a: [1, 2] });
    expect(await cache.has("k")).toBe(true);
    expect(await cache.delete("k")).toBe(true);
    expect(await cache.has("k")).toBe(false);
    expect(await cache.delete("k")).toBe(false);
  });

  it("stores falsy values other than undefined", async () => {
    const { cache } = makeCache();
    for (const value of [null, 0, "", false]) {
      await cache.set("k", value);
      expect(await cache.get("k")).toBe(value);
      expect(await cache.has("k")).toBe(true);
    }
    await expect(cache.set("k", undefined)).rejects.toBeInstanceOf(ValidationError);
    expect(await cache.get("k")).toBe(false);
  });

  it("isolates stored values from later mutation by the caller", async () => {
    const { cache } = makeCache();
    const value = { list: [1] };
    await cache.set("k", value);
    value.list.push(2);
    const read = await cache.get<{ list: number[] }>("k");
    read?.list.push(3);
    expect(await cache.get("k")).toEqual({ list: [1] });
  });

  it("rejects a value that cannot be stored and keeps the old one", async () => {
    const { cache } = makeCache();
    await cache.set("k", "old");
    const error = await cache.set("k", { fn: () => 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(await cache.get("k")).toBe("old");
  });

  it("rejects invalid keys and options", async () => {
    const { cache } = makeCache();
    await expect(cache.set("", 1)).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.get("a b")).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.delete("x".repeat(300))).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.set("k", 1, { ttlMs: 1.5 })).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.set("k", 1, { ttl: 5 } as never)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("has and delete", () => {
  it("do not read the value when the store can stat", async () => {
    const store = new MemoryStore();
    const get = vi.spyOn(store, "get");
    const { cache } = makeCache({ store });
    await cache.set("k", { huge: "x".repeat(1000) });
    expect(await cache.has("k")).toBe(true);
    expect(await cache.delete("k")).toBe(true);
    expect(await cache.has("k")).toBe(false);
    expect(get).not.toHaveBeenCalled();
  });

  it("fall back to get for a store without stat", async () => {
    const inner = new MemoryStore();
    const store: Store = {
      get: (key) => inner.get(key),
      set: (key, entry) => inner.set(key, entry),
      delete: (key) => inner.delete(key),
    };
    const { cache, clock } = makeCache({ store });
    await cache.set("k", 1, { ttlMs: 10 });
    expect(await cache.has("k")).toBe(true);
    clock.advance(10);
    expect(await cache.has("k")).toBe(false);
    await cache.set("k2", 2);
    expect(await cache.delete("k2")).toBe(true);
  });

  it("count an expired value as gone", async () => {
    const store = new MemoryStore();
    const { cache, clock } = makeCache({ store });
    await cache.set("k", 1, { ttlMs: 10 });
    clock.advance(10);
    expect(store.size).toBe(1);
    expect(await cache.delete("k")).toBe(false);
  });
});

describe("TTL", () => {
  it("hides and then removes expired values", async () => {
    const store = new MemoryStore();
    const { cache, clock } = makeCache({ store });
    await cache.set("k", 1, { ttlMs: 100 });
    clock.advance(99);
    expect(await cache.get("k")).toBe(1);
    clock.advance(1);
    expect(await cache.get("k")).toBeUndefined();
    expect(await cache.getEntry("k")).toBeUndefined();
    expect(await store.prune(clock.now())).toBe(1);
  });

  it("keeps values with a null ttl forever and uses the default ttl otherwise", async () => {
    const { cache, clock } = makeCache({ defaultTtlMs: 50 });
    await cache.set("forever", 1, { ttlMs: null });
    await cache.set("default", 2);
    clock.advance(10_000_000);
    expect(await cache.get("forever")).toBe(1);
    expect(await cache.get("default")).toBeUndefined();
  });

  it("never lets a lazy removal of an expired value delete a fresh write", async () => {
    const store = new MemoryStore();
    const { cache, clock } = makeCache({ store });
    await cache.set("k", "old", { ttlMs: 10 });
    clock.advance(10);
    const reading = cache.get("k");
    const writing = cache.set("k", "new", { ttlMs: 1000 });
    expect(await reading).toBeUndefined();
    await writing;
    await flush();
    expect(await cache.get("k")).toBe("new");
  });

  it("reports entry timestamps", async () => {
    const { cache, clock } = makeCache();
    await cache.set("k", "v", { ttlMs: null });
    const entry = await cache.getEntry("k");
    expect(entry).toEqual({ key: "k", value: "v", createdAt: clock.time, version: expect.any(String) });
    // A new write is a new version (page cursors and ETags are bound to it).
    await cache.set("k", "v", { ttlMs: null });
    expect((await cache.getEntry("k"))?.version).not.toBe(entry?.version);
  });
});

describe("keys owned by tasks", () => {
  it("refuses writes and deletes under a running task's ref id", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", deferred().promise);
    await expect(cache.set("job", 1)).rejects.toBeInstanceOf(KeyOwnedByTaskError);
    await expect(cache.delete("job")).rejects.toMatchObject({ code: "KEY_OWNED_BY_TASK" });
  });

  it("allows them once the task finished", async () => {
    const { cache } = makeCache();
    await cache.registerTask("job", {});
    await cache.completeTask("job", "result");
    await cache.set("job", "replaced");
    expect(await cache.get("job")).toBe("replaced");
    expect(await cache.delete("job")).toBe(true);
  });

  it("registration removes a value that was stored under the id before", async () => {
    const { cache } = makeCache();
    await cache.set("job", "stale");
    await cache.registerTask("job", {});
    expect(await cache.get("job")).toBeUndefined();
  });
});

describe("store failures", () => {
  class BrokenStore extends MemoryStore {
    failWrites = false;
    override async set(key: string, entry: Parameters<MemoryStore["set"]>[1]): Promise<void> {
      if (this.failWrites) throw new Error("connection reset");
      return super.set(key, entry);
    }
    override async get(key: string) {
      if (key === "unreadable") throw "not an Error";
      return super.get(key);
    }
  }

  it("become StoreError, and a failed result write leaves the task active", async () => {
    const store = new BrokenStore();
    const { cache } = makeCache({ store });
    await cache.registerTask("job", {});
    store.failWrites = true;
    const error = await cache.completeTask("job", 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: "STORE_ERROR", refId: "job" });
    expect((error as Error).message).toContain("connection reset");
    expect(cache.getTaskStatus("job")?.status).toBe("pending");
    store.failWrites = false;
    expect((await cache.completeTask("job", 1)).status).toBe("complete");
    await expect(cache.get("unreadable")).rejects.toThrow(/not an Error/);
  });

  it("keep an auto-completing task active while its result cannot be written, and complete it once it can", async () => {
    const store = new BrokenStore();
    const { cache } = makeCache({ store });
    store.failWrites = true;
    await cache.registerTask("job", Promise.resolve("value"));
    await flush();
    expect(cache.getTaskStatus("job")?.status).toBe("processing");
    expect(await cache.get("job")).toBeUndefined();
    store.failWrites = false;
    await until(() => cache.getTaskStatus("job")?.status === "complete");
    expect(await cache.get("job")).toBe("value");
  });

  it("an injected store is not closed with the cache", async () => {
    const store = new MemoryStore();
    const { cache } = makeCache({ store });
    await cache.set("k", 1);
    await cache.close();
    expect(store.size).toBe(1);
  });
});
