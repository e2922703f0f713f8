import { describe, expect, it } from "vitest";
import { createMemoryStores, MemoryStore, MemoryTaskStore, RefCache } from "../src/index.js";
import { describeStoreConformance } from "../src/testing/index.js";

describeStoreConformance("memory stores", () => createMemoryStores());

/** A value store whose writes are not synchronous (it overrides `set`): the memory task store must then lock around its writes. */
class OtherStore extends MemoryStore {
  override async set(key: string, entry: Parameters<MemoryStore["set"]>[1]): Promise<void> {
    await super.set(key, entry);
  }
}
describeStoreConformance("memory task store over another value store", () => {
  const store = new OtherStore();
  return { store, taskStore: new MemoryTaskStore({ store }) };
});

/** A MemoryStore that overrides `prune`: its writes stay synchronous, but no task store keeps results beside its tasks. */
class UnlinkedStore extends MemoryStore {
  override async prune(now: number): Promise<number> {
    return super.prune(now);
  }
}
describeStoreConformance("memory task store over a MemoryStore that keeps every result itself", () => {
  const store = new UnlinkedStore();
  return { store, taskStore: new MemoryTaskStore({ store }) };
});

describe("two caches given only the same value store", () => {
  it("share its task store: each sees and cancels the other's task", async () => {
    const store = new MemoryStore();
    const a = new RefCache({ store });
    const b = new RefCache({ store });
    let signal: AbortSignal | undefined;
    await a.registerTask("job", (ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    });
    expect((await b.getTask("job"))?.status).toBe("processing");
    await expect(b.set("job", 1)).rejects.toMatchObject({ code: "KEY_OWNED_BY_TASK" });
    await expect(b.registerTask("job", {})).rejects.toMatchObject({ code: "TASK_ALREADY_ACTIVE" });
    await b.cancelTask("job");
    expect(signal?.aborted).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });
});
