/**
 * The test Worker that runs inside workerd: core's store conformance suite and this package's own store
 * tests, against the Durable Object stores. `GET /tests` lists them; `POST /run?name=…` runs one inside
 * this request and answers `{ ok, error? }`, which the vitest file outside turns into a passed or failed
 * test.
 */
import { describeStoreConformance } from "@mcp-refcache/core/testing";
import { createDurableObjectStores, type DurableObjectStoresOptions } from "../../src/index.js";
import { defineMigrationTests } from "./migration-tests.js";
import { defineRunnerTests } from "./runner-tests.js";
import { defineStoreTests } from "./store-tests.js";
import { collected } from "./vitest-shim.js";

export { RefCacheShard } from "../../src/index.js";
export { MigrationProbe } from "./migration-tests.js";
export { TestRunner } from "./runner-tests.js";

type Env = Record<string, unknown>;
let currentEnv: Env | undefined;

/** Fresh stores under a prefix of their own; cleanup empties every object they used. */
export function freshStores(options: Omit<DurableObjectStoresOptions, "prefix"> = {}, prefix?: string) {
  if (currentEnv === undefined) throw new Error("no env: tests run inside a request");
  const env = currentEnv;
  const storePrefix = prefix ?? `t${crypto.randomUUID().slice(0, 12)}`;
  const stores = createDurableObjectStores(env, { shards: 4, ...options, prefix: storePrefix });
  return {
    ...stores,
    env,
    prefix: storePrefix,
    /** Another pair over the same objects, as another Worker isolate would build it. */
    again: () => createDurableObjectStores(env, { shards: 4, ...options, prefix: storePrefix }),
    cleanup: async () => {
      await stores.taskStore.close?.();
      const namespace = env.REFCACHE as DurableObjectNamespace<import("../../src/index.js").RefCacheShard>;
      const names = [
        ...Array.from({ length: options.shards ?? 4 }, (_, i) => `${storePrefix}:shard:${i}`),
        `${storePrefix}:ledger`,
      ];
      await Promise.all(names.map((name) => namespace.get(namespace.idFromName(name)).destroy()));
    },
  };
}

describeStoreConformance("Durable Object stores", () => freshStores());
defineStoreTests();
defineRunnerTests();
defineMigrationTests(() => {
  if (currentEnv === undefined) throw new Error("no env: tests run inside a request");
  return currentEnv;
});

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    if (url.pathname === "/tests") return Response.json([...collected.keys()]);
    if (url.pathname === "/run" && request.method === "POST") {
      const name = url.searchParams.get("name") ?? "";
      const body = collected.get(name);
      if (body === undefined) return Response.json({ ok: false, error: `no test named "${name}"` }, { status: 404 });
      currentEnv = env;
      try {
        await body();
        return Response.json({ ok: true });
      } catch (error) {
        const message = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
        return Response.json({ ok: false, error: message });
      }
    }
    return new Response("not found", { status: 404 });
  },
};
