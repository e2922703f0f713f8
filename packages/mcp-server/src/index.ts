/**
 * `@mcp-refcache/mcp-server`: reference caching, polling tools and native 2026-07-28 Tasks for MCP SDK v2
 * servers (`@modelcontextprotocol/server`).
 */
export type { CachedToolConfig, CachedToolContext, CachedToolHandler } from "./cached-tool.js";
export type { TaskSupport } from "./options.js";
export {
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_TIMEOUT_MS,
  type RefCacheServerOptions,
  RefCacheServerOptionsSchema,
} from "./options.js";
export { defaultOwner, type OwnerResolver, sessionScope } from "./owner.js";
export {
  type TaskSubscriptionHandler,
  type TaskSubscriptionOptions,
  withTaskSubscriptions,
} from "./task-subscriptions.js";
export { clientDeclaresTasks, TASKS_EXTENSION_ID } from "./tasks-extension.js";
export { type RefCacheServer, withRefCache } from "./with-ref-cache.js";
