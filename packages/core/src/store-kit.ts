/**
 * `@mcp-refcache/core/store`: for people who write a `Store` or a `TaskStore` (Redis, Durable Objects,
 * SQL, …), not for people who use a RefCache. It holds the contract's record and reply types, the value
 * codec a store keeps values with, the lifecycle table, and the owner checks a store applies. Run
 * `describeStoreConformance` from `@mcp-refcache/core/testing` to prove a store keeps the contract.
 *
 * `Store` and `TaskStore` are also on the root entry (a RefCache takes them as options).
 */
export { decodeValue, encodeValue } from "./codec.js";
export { isOwner, isRefId, isWellFormedText, percentageOf, versionOf } from "./models.js";
export { assertMayList, assertMayWrite } from "./owner.js";
export type { Store, StoreEntry, StoreEntryMeta } from "./store.js";
export type {
  CreateTaskOptions,
  CreateTaskOutcome,
  StoredTask,
  SubscribeOptions,
  TaskChange,
  TaskChangeListener,
  TaskPage,
  TaskQuery,
  TaskStore,
  UpdateTaskOutcome,
} from "./task-store.js";
export { canTransition, TASK_TRANSITIONS } from "./transitions.js";
