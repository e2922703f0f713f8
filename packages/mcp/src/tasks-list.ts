/**
 * `tasks/list` answered straight from the RefCache task store. The SDK v1's own handler answers every
 * failure of `TaskStore.listTasks` as -32602 ("Failed to list tasks: …"), a store outage included; this
 * one lets the store's `McpError` through, so its code is core's (a bad cursor -32602, the store down -32603).
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ListTasksRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { RefCacheTaskStore } from "./task-store.js";

/** Replaces the SDK's `tasks/list` handler of `server` (built with `refCacheServerOptions`) with the store's. */
export function answerTasksList(server: McpServer, store: RefCacheTaskStore): void {
  server.server.setRequestHandler(ListTasksRequestSchema, async (request, extra) => {
    const page = await store.listTasks(request.params?.cursor, extra.sessionId);
    return { ...page, _meta: {} };
  });
}
