/**
 * The synchronous surface of stores in this process (`@mcp-refcache/core/internal`): who offers it, that
 * the public contracts carry none of it, and that what is shared is read-only by type.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStores, MemoryStore, MemoryTaskStore, RefCache, type TaskStore } from "../src/index.js";
import {
  inProcessAccessOf,
  inProcessTaskStore,
  inProcessValueStore,
  type ReadonlyStoredTask,
  syncValueWritesOf,
} from "../src/internal.js";
import { remoteLike } from "./remote-like-stores.js";

describe("in-process store surface", () => {
  it("a memory task store over a MemoryStore offers reads and synchronous writes under its symbol", async () => {
    const { store, taskStore } = createMemoryStores();
    expect(syncValueWritesOf(store)).toBeDefined();
    const local = inProcessAccessOf(taskStore);
    expect(local).toBe(taskStore[inProcessTaskStore]);
    expect(local?.createSync).toBeTypeOf("function");
    expect(local?.updateSync).toBeTypeOf("function");
    const cache = new RefCache({ store, taskStore });
    await cache.registerTask("job", {});
    expect(local?.read("job")).toMatchObject({ refId: "job", status: "pending", version: 1 });
    expect(local?.read("job")).not.toBe(local?.read("job")); // copies
    expect(local?.readShared("job")).toBe(local?.readShared("job")); // the kept object
    expect([...(local?.list() ?? [])].map((t) => t.refId)).toEqual(["job"]);
    await cache.close();
  });

  it("a value store that overrides set or delete offers no synchronous writes, so its task store locks", () => {
    class Overriding extends MemoryStore {
      override async delete(key: string): Promise<boolean> {
        return super.delete(key);
      }
    }
    const store = new Overriding();
    expect(store[inProcessValueStore]).toBeUndefined();
    const local = inProcessAccessOf(new MemoryTaskStore({ store }));
    expect(local?.read).toBeTypeOf("function");
    expect(local?.updateSync).toBeUndefined();
    expect(local?.createSync).toBeUndefined();
  });

  it("lists every task against one reading of the store's clock, not one per task", async () => {
    let reads = 0;
    const clock = {
      now: () => {
        reads++;
        return 1_700_000_000_000;
      },
    };
    const store = new MemoryStore();
    const cache = new RefCache({ store, taskStore: new MemoryTaskStore({ store, clock }) });
    try {
      for (let i = 0; i < 200; i++) await cache.registerTask(`t${i}`, {});
      reads = 0;
      expect(cache.listTasks()).toHaveLength(200);
      expect(reads).toBeLessThan(10);
    } finally {
      await cache.close();
    }
  });

  it("a store in another process (the plain TaskStore contract) has none of it", () => {
    const plain: TaskStore = remoteLike(new MemoryTaskStore());
    expect(inProcessAccessOf(plain)).toBeUndefined();
    for (const name of ["peek", "peekAll", "readNow", "createNow", "updateNow"]) {
      expect(name in new MemoryTaskStore()).toBe(false);
    }
  });

  it("a shared task is read-only by type, progress included", () => {
    const task: ReadonlyStoredTask = {
      refId: "a",
      status: "processing",
      startedAt: 0,
      updatedAt: 0,
      retryCount: 0,
      runId: "r",
      version: 1,
      progress: { current: 1 },
    };
    // @ts-expect-error a shared task is never changed
    task.status = "failed";
    // @ts-expect-error nor its progress
    if (task.progress) task.progress.current = 2;
    expect(task.refId).toBe("a");
  });
});
