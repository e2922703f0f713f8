import { createMemoryStores, MemoryStore, MemoryTaskStore } from "../src/index.js";
import { describeStoreConformance } from "../src/testing/index.js";

describeStoreConformance("memory stores", () => createMemoryStores());

/** A value store that is not a MemoryStore: the memory task store must then lock around its writes. */
class OtherStore extends MemoryStore {}
describeStoreConformance("memory task store over another value store", () => {
  const store = new OtherStore();
  return { store, taskStore: new MemoryTaskStore({ store }) };
});
