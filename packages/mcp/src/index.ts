/** `@mcp-refcache/mcp`: reference caching, polling tools and native MCP Tasks for `@modelcontextprotocol/sdk` v1. */
export {
  defaultOwner,
  type OwnerContext,
  type OwnerResolver,
  type RefCacheToolOptions,
  sessionScope,
  type WithRefCacheOptions,
} from "./options.js";
export type { ProgressUpdate } from "./progress.js";
export { refCacheServerOptions } from "./server-options.js";
export { SessionOwners } from "./session-owners.js";
export { answerWithoutSession } from "./sessionless-requests.js";
export { RefCacheTaskStore, type RefCacheTaskStoreOptions } from "./task-store.js";
export {
  type RefCacheToolConfig,
  type RefCacheToolContext,
  type RefCacheToolHandler,
  type RefCacheTools,
  type ToolExtra,
  withRefCache,
} from "./with-ref-cache.js";
