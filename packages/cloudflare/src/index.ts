/**
 * `@mcp-refcache/cloudflare`: task and value stores for mcp-refcache on Cloudflare Durable Objects.
 * Export `RefCacheShard` from your Worker and pass `createDurableObjectStores(env)` to `new RefCache`.
 */
export {
  createDurableObjectStores,
  type DurableObjectStores,
  type DurableObjectStoresOptions,
  DurableObjectStoresOptionsSchema,
} from "./create-durable-object-stores.js";
export { callBytes, DURABLE_OBJECT_CALL_BYTES, DurableObjectStore } from "./durable-object-store.js";
export { DurableObjectTaskStore } from "./durable-object-task-store.js";
export { LEASE_GRACE_MS, RefCacheShard } from "./refcache-shard.js";
export {
  RUNNER_KEEPALIVE_MS,
  type RunnerFunction,
  type StartInObject,
  StartInObjectSchema,
  type StartOutcome,
  startInObject,
  TaskRunnerObject,
} from "./task-runner-object.js";
export { CHUNK_BYTES } from "./value-chunks.js";
