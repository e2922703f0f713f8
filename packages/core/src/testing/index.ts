/** Test helpers for store authors and adapters: `@mcp-refcache/core/testing`. Needs vitest. */
export { type ConformanceStores, describeStoreConformance } from "./conformance.js";
export { type Deferred, deferred } from "./deferred.js";
