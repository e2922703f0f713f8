/**
 * Failover on a real cluster of three masters with one replica each: the master holding a task is killed,
 * its replica takes over its slots, and the change feed follows (ioredis's sharded subscribers move the
 * shard channels to the new master): a cancel from one instance aborts the other's new run there at once,
 * and the task written before the failover is still read.
 */
import { RefCache } from "@mcp-refcache/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hashSlot } from "../src/hash-slot.js";
import { createRedisStores, type RedisStores } from "../src/index.js";
import { keyLayout } from "../src/key-layout.js";
import { describeCluster, RedisCluster } from "./redis-cluster.js";
import { newPrefix } from "./redis-fixture.js";

/**
 * Reads until `done` holds; past `timeoutMs` fails saying what `what` last read or the error it last got
 * (a call fails while the clients learn the new slots, so errors are retried, not thrown at once).
 */
async function poll<T>(
  what: string | (() => string),
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const started = Date.now();
  let last: string;
  for (;;) {
    try {
      const value = await read();
      if (done(value)) return value;
      last = `read ${JSON.stringify(value)}`;
    } catch (error) {
      last = `failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`${typeof what === "string" ? what : what()}: not done after ${timeoutMs} ms; last ${last}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeCluster("a master failing over to its replica", { timeout: 90_000 }, () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    // No persistence: the replica holds the data (replication is asynchronous, so the test waits for the
    // replica to have every write, with WAIT, before killing its master).
    cluster = await RedisCluster.start(3, false, 1);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it("keeps the data and the change feed on the promoted replica", async () => {
    const prefix = newPrefix();
    const layout = keyLayout(prefix, "cluster");
    const made: { stores: RedisStores; cache: RefCache; close(): void }[] = [];
    const open = async (instanceId: string) => {
      const client = cluster.client({ redisOptions: { maxRetriesPerRequest: 0 } });
      await new Promise<void>((resolve) => client.once("ready", () => resolve()));
      const stores = createRedisStores({ client, prefix, commandTimeoutMs: 2_000 });
      const cache = new RefCache({ store: stores.store, taskStore: stores.taskStore, instanceId, taskLeaseMs: 6_000 });
      cache.onTaskChange(() => {});
      await stores.taskStore.changesReady();
      made.push({ stores, cache, close: () => client.disconnect() });
      return { cache, client };
    };
    const a = await open("A");
    const b = await open("B");
    try {
      const victim = await cluster.portOfSlot(hashSlot(layout.task("kept")));
      await a.cache.registerTask("kept", async () => ({ kept: true }));
      expect(await a.cache.waitForTask("kept", { timeoutMs: 5_000 })).toMatchObject({ status: "complete" });
      // The replica has every write so far before its master dies.
      const master = cluster.node(victim);
      expect(await master.call("WAIT", "1", "5000")).toBe(1);
      master.disconnect();

      await cluster.killNode(victim);
      const promoted = await poll(
        "the replica promoted",
        async () => cluster.portOfSlot(hashSlot(layout.task("kept"))),
        (port) => port !== victim,
      );
      const masters = () => b.client.nodes("master").map((node) => node.options.port);
      await poll(
        () => `B reading the task on ${promoted} (B's client knows masters ${masters().join(", ")})`,
        () => b.cache.getTask("kept"),
        (t) => t?.status === "complete",
      );
      expect(await b.cache.get("kept")).toEqual({ kept: true });

      // A new run in the failed-over slot range, cancelled from B: aborted through the feed, not the lease.
      let probe = "";
      for (let n = 0; probe === ""; n++) {
        if ((await cluster.portOfSlot(hashSlot(layout.task(`probe-${n}`)))) === promoted) probe = `probe-${n}`;
      }
      let abortedAt = 0;
      await poll(
        "a new run registered on the promoted replica",
        () =>
          a.cache
            .registerTask(probe, async ({ signal }) => {
              await new Promise((resolve) => signal.addEventListener("abort", resolve));
              abortedAt = Date.now();
              throw new Error("aborted");
            })
            .then(() => true),
        (ok) => ok,
      );
      // Right after a failover a call may still fail (STORE_ERROR) while the client learns the new slots.
      const cancelledAt = Date.now();
      await poll(
        "B's cancel",
        () => b.cache.cancelTask(probe).then(() => true),
        (ok) => ok,
      );
      await poll(
        "the abort on A",
        async () => abortedAt,
        (at) => at > 0,
        5_000,
      );
      console.info(`cluster failover: abort ${abortedAt - cancelledAt} ms after cancel, on the promoted replica`);
      // The lease (6 s) renews every 2 s: an abort within 1 s came through the change feed.
      expect(abortedAt).toBeGreaterThan(0);
      expect(abortedAt - cancelledAt).toBeLessThan(1_000);
    } finally {
      for (const { stores, cache, close } of made) {
        await cache.close();
        await stores.close();
        close();
      }
    }
  });
});
