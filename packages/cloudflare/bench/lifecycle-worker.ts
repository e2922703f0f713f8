/**
 * The bench Worker, run inside workerd: `POST /lifecycles?store=do|memory&n=N&inFlight=K` runs N task
 * lifecycles (register → 3 progress → complete → status → result), K at a time, on a RefCache over the
 * Durable Object stores or over the memory stores, and answers how long each phase spent waiting on the
 * store (Durable Object runs only: workerd's clock advances only across I/O, so in-memory work reads 0).
 */
import { createMemoryStores, RefCache } from "@mcp-refcache/core";
import { createDurableObjectStores } from "../src/index.js";

export { RefCacheShard } from "../src/index.js";

/**
 * One shard, one call at a time: a read of a missing task (the RPC alone) and a value write (the RPC and
 * a durable SQLite commit), in ms per call.
 */
async function roundTrips(env: Record<string, unknown>): Promise<{ readMs: number; writeMs: number }> {
  const namespace = env.REFCACHE as DurableObjectNamespace<import("../src/index.js").RefCacheShard>;
  const shard = namespace.get(namespace.idFromName(`bench-rt-${crypto.randomUUID()}`));
  const calls = 200;
  await shard.getTask("warm-up");
  let started = Date.now();
  for (let i = 0; i < calls; i++) await shard.getTask("missing");
  const readMs = (Date.now() - started) / calls;
  started = Date.now();
  for (let i = 0; i < calls; i++) await shard.setValue("k", { data: String(i), createdAt: 0 });
  const writeMs = (Date.now() - started) / calls;
  await shard.destroy();
  return { readMs, writeMs };
}

type Phase = "register" | "progress" | "complete" | "status" | "result";

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    if (url.pathname === "/round-trips") return Response.json(await roundTrips(env));
    const store = url.searchParams.get("store");
    const n = Number(url.searchParams.get("n") ?? "100");
    const inFlight = Number(url.searchParams.get("inFlight") ?? "16");
    const stores =
      store === "memory"
        ? createMemoryStores()
        : createDurableObjectStores(env, { prefix: `bench-${crypto.randomUUID().slice(0, 8)}`, shards: 8 });
    const cache = new RefCache({ ...stores, taskLeaseMs: 60_000 });
    const spent: Record<Phase, number> = { register: 0, progress: 0, complete: 0, status: 0, result: 0 };
    const timed = async <T>(phase: Phase, work: () => Promise<T>): Promise<T> => {
      const started = Date.now();
      try {
        return await work();
      } finally {
        spent[phase] += Date.now() - started;
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < n) {
          const id = `bench${next++}`;
          await timed("register", () => cache.registerTask(id, {}));
          for (let step = 1; step <= 3; step++) {
            await timed("progress", () => cache.updateTaskProgress(id, { current: step, total: 3 }));
          }
          await timed("complete", () => cache.completeTask(id, { rows: [1, 2, 3] }));
          await timed("status", () => cache.getTask(id));
          await timed("result", () => cache.get(id));
        }
      }),
    );
    await cache.close();
    return Response.json({ n, spent });
  },
};
