export { parseChange } from "./change-feed.js";
export {
  createRedisStores,
  type RedisStores,
  type RedisStoresOptions,
  RedisStoresOptionsSchema,
} from "./create-redis-stores.js";
export type { KeyLayout } from "./key-layout.js";
export { RedisStore } from "./redis-store.js";
export { RedisTaskStore } from "./redis-task-store.js";
