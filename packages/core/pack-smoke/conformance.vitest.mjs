/**
 * Smoke of the packed `@mcp-refcache/core/testing` entry: the store conformance suite, as a store author
 * runs it under vitest, against the memory stores.
 */
import { createMemoryStores } from "@mcp-refcache/core";
import { describeStoreConformance } from "@mcp-refcache/core/testing";

describeStoreConformance("memory stores from the packed core", () => createMemoryStores());
