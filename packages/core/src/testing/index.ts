/** Test helpers for store authors and adapters: `@mcp-refcache/core/testing`. Needs vitest. */
export { type ConformanceStores, describeStoreConformance } from "./conformance.js";
export { type Deferred, deferred } from "./deferred.js";
export {
  answerSizes,
  type ReadAllPagesOptions,
  readAllPages,
  type ToolAnswer,
} from "./read-all-pages.js";
