/** Test helpers for store authors: `@mcp-refcache/core/testing`. Needs vitest. */
export { type ConformanceStores, describeStoreConformance } from "./conformance.js";
