/**
 * A task store writes results into one value store; a RefCache given another `store` would write every
 * result where it never reads. Such a pair is refused when the cache is built, saying how to build one.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStores, MemoryStore, MemoryTaskStore, RefCache } from "../src/index.js";
import { remoteLike } from "./remote-like-stores.js";

describe("the value store a task store writes to", () => {
  it("refuses a task store that writes results to another value store, saying how to build the pair", () => {
    let thrown: unknown;
    try {
      new RefCache({ store: new MemoryStore(), taskStore: new MemoryTaskStore() });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "VALIDATION_ERROR" });
    expect(String((thrown as Error).message)).toMatch(/createMemoryStores\(\).*new MemoryTaskStore\(\{ store \}\)/);
    // The same through a task store that is not a MemoryTaskStore but says where it writes.
    const { taskStore } = createMemoryStores();
    expect(() => new RefCache({ store: new MemoryStore(), taskStore: remoteLike(taskStore) })).toThrow(
      /another value store/,
    );
  });

  it("accepts the pair built together, or the task store alone, and the result lands where get reads", async () => {
    const pair = createMemoryStores();
    const store = new MemoryStore();
    for (const options of [
      pair,
      { taskStore: new MemoryTaskStore({ store }) },
      { taskStore: remoteLike(pair.taskStore) },
    ]) {
      const cache = new RefCache(options);
      await cache.registerTask("job", {});
      await cache.completeTask("job", { rows: 1 });
      expect(await cache.get("job")).toEqual({ rows: 1 });
      await cache.close();
    }
    expect(new RefCache({ taskStore: new MemoryTaskStore({ store }) }).store).toBe(store);
  });

  it("still refuses a task store alone that does not say which value store it writes to", () => {
    const { taskStore } = createMemoryStores();
    const silent = { ...remoteLike(taskStore) };
    delete silent.valueStore;
    expect(() => new RefCache({ taskStore: silent })).toThrow(/needs the value store/);
  });
});
