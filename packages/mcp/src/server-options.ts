/**
 * The `McpServer` options that turn on native MCP Tasks (spec 2025-11-25) backed by the RefCache:
 * the tasks capability and a `TaskStore` over the cache. Pass them when constructing the server.
 */
import type { RefCache } from "@mcp-refcache/core";
import type { ServerOptions } from "@modelcontextprotocol/sdk/server/index.js";
import { parseWithRefCacheOptions, resourceTemplateOf, type WithRefCacheOptions } from "./options.js";
import { RefCacheTaskStore } from "./task-store.js";

const TASKS_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } };

/**
 * `new McpServer(info, refCacheServerOptions(cache, options, serverOptions))`: merges the tasks
 * capability and a RefCache-backed `taskStore` into `serverOptions`. Give `withRefCache` the same options.
 */
export function refCacheServerOptions(
  cache: RefCache,
  options: WithRefCacheOptions = {},
  serverOptions: ServerOptions = {},
): ServerOptions & { taskStore: RefCacheTaskStore } {
  const parsed = parseWithRefCacheOptions(options);
  const taskStore = new RefCacheTaskStore(cache, {
    pollIntervalMs: parsed.pollIntervalMs,
    ttlMs: parsed.ttlMs ?? cache.defaultTtlMs,
    owner: parsed.owner,
    names: parsed.names,
    ...(parsed.valueBudget === undefined ? {} : { valueBudget: parsed.valueBudget }),
    ...(resourceTemplateOf(parsed) === undefined ? {} : { resourceTemplate: resourceTemplateOf(parsed) as string }),
  });
  return {
    ...serverOptions,
    capabilities: { ...serverOptions.capabilities, tasks: TASKS_CAPABILITY },
    taskStore,
  };
}

/** The RefCache task store a server was constructed with, if any; another kind of store is an error. */
export function taskStoreOf(server: { server: unknown }, cache: RefCache): RefCacheTaskStore | undefined {
  // The SDK keeps the store in a private field; reading it spares the user from passing it twice.
  const store = (server.server as { _taskStore?: unknown })._taskStore;
  if (store === undefined) return undefined;
  if (!(store instanceof RefCacheTaskStore) || store.cache !== cache) {
    throw new TypeError(
      "withRefCache: the server was given a taskStore that is not this cache's; build its options with refCacheServerOptions(cache)",
    );
  }
  return store;
}
