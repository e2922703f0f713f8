/**
 * `@mcp-refcache/core/internal`: the synchronous surface for authors of stores that live in this process.
 *
 * UNSTABLE: anything exported here may change or go in any minor release. Users of RefCache never need it;
 * stores in another process (Redis, Durable Objects, …) implement the public `TaskStore` and `Store` only.
 *
 * A task store opts in by holding an `InProcessTaskAccess` under the `inProcessTaskStore` key (reads; and
 * `createSync`/`updateSync` when its writes, values included, take effect when called). A value store
 * opts in by holding `SyncValueWrites` under the `inProcessValueStore` key. What a store hands back as a
 * `ReadonlyStoredTask` it shares with the caller, who never changes it; what it is handed in `createSync`
 * and `updateSync` it may keep.
 */
export {
  type InProcessTaskAccess,
  type InProcessTaskStore,
  type InProcessValueStore,
  inProcessAccessOf,
  inProcessTaskStore,
  inProcessValueStore,
  type ReadonlyStoredTask,
  type SharedCreateOutcome,
  type SharedUpdateOutcome,
  type SyncValueWrites,
  syncValueWritesOf,
} from "./in-process-store.js";
