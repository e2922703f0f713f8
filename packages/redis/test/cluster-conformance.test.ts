/**
 * Core's conformance suite against the cluster layout: on a real three-master Redis Cluster (an ioredis
 * `Cluster` client picks the layout), with each transport, and on one Redis with `layout: "cluster"` (a
 * cluster-mode endpoint's layout, usable on one node too). Also: a transition is still one command on the
 * cluster.
 */
import { describeStoreConformance } from "@mcp-refcache/core/testing";
import { expect, it } from "vitest";
import { createRedisStores } from "../src/index.js";
import { TRANSPORTS } from "../src/transports.js";
import { clusterToolsAvailable, useRedisCluster } from "./redis-cluster.js";
import { available, conformanceStores, newPrefix, task } from "./redis-fixture.js";

if (clusterToolsAvailable) {
  const cluster = useRedisCluster();
  for (const transport of TRANSPORTS) {
    describeStoreConformance(`redis stores on a 3-master cluster (${transport} transport)`, async () => {
      const client = cluster().client({ redisOptions: { maxRetriesPerRequest: 0 } });
      await new Promise<void>((resolve) => client.once("ready", () => resolve()));
      const stores = createRedisStores({ client, prefix: newPrefix(), transport });
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

  it.each(TRANSPORTS)(
    "runs a task lifecycle with one command per transition on the cluster (%s transport)",
    async (transport) => {
      const redis = cluster();
      /** All commands the masters have run, by name, from `INFO commandstats`. */
      const commands = async () => {
        const counts = new Map<string, number>();
        for (const port of redis.ports) {
          const node = redis.node(port);
          const info = await node.info("commandstats");
          node.disconnect();
          for (const [, name, calls] of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) {
            counts.set(name as string, (counts.get(name as string) ?? 0) + Number(calls));
          }
        }
        return counts;
      };
      const client = redis.client({ redisOptions: { maxRetriesPerRequest: 0 } });
      await new Promise<void>((resolve) => client.once("ready", () => resolve()));
      const { taskStore, close } = createRedisStores({ client, prefix: newPrefix(), transport });
      try {
        // Scripts loaded on every master first (a lifecycle in every bucket), so each call below is one EVALSHA.
        for (let i = 0; i < 64; i++) {
          await taskStore.create(task(`warm-${i}`));
          await taskStore.update({ ...task(`warm-${i}`), status: "processing", leaseMs: 60_000 }, 1);
          await taskStore.update({ ...task(`warm-${i}`), status: "complete" }, 2, { data: "1", createdAt: 1 });
          await taskStore.get(`warm-${i}`);
        }
        const before = await commands();
        await taskStore.create(task("one"));
        await taskStore.update({ ...task("one"), status: "processing", leaseMs: 60_000 }, 1);
        await taskStore.update({ ...task("one"), status: "complete" }, 2, { data: "1", createdAt: 1 });
        await taskStore.get("one");
        const after = await commands();
        // Script calls only (commandstats also counts the commands a script runs, and the probes' own).
        const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
        expect({ evalsha: delta("evalsha"), eval: delta("eval") }).toEqual({ evalsha: 4, eval: 0 });
      } finally {
        await close();
        client.disconnect();
      }
    },
  );
}

if (available) {
  describeStoreConformance('redis stores with layout "cluster" on one Redis', () =>
    conformanceStores({ layout: "cluster" }),
  );
} else {
  it.skip('redis stores with layout "cluster" (Redis unreachable)', () => {});
}
