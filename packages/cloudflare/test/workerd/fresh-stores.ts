/**
 * Fresh Durable Object stores for one test, over the env of the request running it (the test Worker sets
 * it). Its own file, so the test files and the Worker that lists them do not import each other.
 */
import { createDurableObjectStores, type DurableObjectStoresOptions } from "../../src/index.js";

export type Env = Record<string, unknown>;
let currentEnv: Env | undefined;

/** Sets the env of the request that runs the current test. */
export function setRequestEnv(env: Env): void {
  currentEnv = env;
}

/** The env of the request that runs the current test. */
export function requestEnv(): Env {
  if (currentEnv === undefined) throw new Error("no env: tests run inside a request");
  return currentEnv;
}

/** Fresh stores under a prefix of their own; cleanup empties every object they used. */
export function freshStores(options: Omit<DurableObjectStoresOptions, "prefix"> = {}, prefix?: string) {
  const env = requestEnv();
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
