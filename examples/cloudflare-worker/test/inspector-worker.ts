/**
 * A test-only Worker run beside the example in the same workerd, bound to its `RefCacheShard` objects:
 * `GET /task?refId=…` answers the task as the store holds it (`null` when absent), read straight from the
 * shard without any RefCache — so nothing that reads it can fail a lost task on the way, and a test sees
 * what the store did on its own (its alarm).
 */
import { createDurableObjectStores } from "@mcp-refcache/cloudflare";

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname !== "/task") return new Response("not found", { status: 404 });
    const { taskStore } = createDurableObjectStores(env);
    try {
      return Response.json((await taskStore.get(url.searchParams.get("refId") ?? "")) ?? null);
    } finally {
      await taskStore.close?.();
    }
  },
};
