/** Test helpers for store authors and adapters: `@mcp-refcache/core/testing`. Needs vitest. */
export { type ConformanceStores, describeStoreConformance } from "./conformance.js";
export { type Deferred, deferred } from "./deferred.js";
export { oddKeysValue } from "./odd-keys.js";
export {
  answerSizes,
  type ReadAllPagesOptions,
  type ResourceContent,
  readAllPages,
  readAllRefResource,
  type ToolAnswer,
} from "./read-all-pages.js";
