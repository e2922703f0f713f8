/**
 * The symbol keys under which stores that live in this process offer their synchronous side (see
 * in-process-store.ts). A leaf file, so the value store can carry its key without importing the rest.
 */

/** The key under which a task store in this process offers its `InProcessTaskAccess`. */
export const inProcessTaskStore: unique symbol = Symbol.for("mcp-refcache.inProcessTaskStore");

/** The key under which a value store in this process offers its `SyncValueWrites`. */
export const inProcessValueStore: unique symbol = Symbol.for("mcp-refcache.inProcessValueStore");

/**
 * The key under which a MemoryStore takes the results its paired MemoryTaskStore keeps beside its tasks
 * (kept-results.ts). Not shared across copies of the package: only a pair from one copy links.
 */
export const resultLink: unique symbol = Symbol("mcp-refcache.resultLink");
