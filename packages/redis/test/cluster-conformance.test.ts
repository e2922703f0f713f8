/**
 * Core's conformance suite against the cluster layout: on a real three-master Redis Cluster (an ioredis
 * `Cluster` client picks the layout), and on one Redis with `layout: "cluster"` (a cluster-mode endpoint's
 * layout, usable on one node too).
 */
import { describeStoreConformance } from "@mcp-refcache/core/testing";
import { it } from "vitest";
import { createRedisStores } from "../src/index.js";
import { clusterToolsAvailable, useRedisCluster } from "./redis-cluster.js";
import { available, deleteUnder, newPrefix, REDIS_URL, rawClient } from "./redis-fixture.js";

if (clusterToolsAvailable) {
  const cluster = useRedisCluster();
  describeStoreConformance("redis stores on a 3-master cluster", async () => {
    const client = cluster().client({ redisOptions: { maxRetriesPerRequest: 0 } });
    await new Promise<void>((resolve) => client.once("ready", () => resolve()));
    const stores = createRedisStores({ client, prefix: newPrefix() });
    return {
      store: stores.store,
      taskStore: stores.taskStore,
      cleanup: async () => {
        await stores.close();
        client.disconnect();
      },
    };
  });
}

if (available) {
  describeStoreConformance('redis stores with layout "cluster" on one Redis', () => {
    const prefix = newPrefix();
    const stores = createRedisStores({ url: REDIS_URL, prefix, layout: "cluster" });
    return {
      store: stores.store,
      taskStore: stores.taskStore,
      cleanup: async () => {
        await stores.close();
        const cleaner = rawClient();
        await deleteUnder(cleaner, prefix);
        cleaner.disconnect();
      },
    };
  });
} else {
  it.skip('redis stores with layout "cluster" (Redis unreachable)', () => {});
}
