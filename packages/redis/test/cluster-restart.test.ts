/**
 * A master of a real three-master cluster (every node with AOF, `appendfsync always`) killed with SIGKILL
 * mid-run and started again: calls on its slots fail with STORE_ERROR within the deadline during the gap
 * and succeed after; nothing completed is lost; the running task finishes or ends "worker lost"; and the
 * sharded change feed is back (a cancel from the other instance aborts a new run on that master at once).
 */
import { RefCache, RefCacheError, WORKER_LOST_MESSAGE } from "@mcp-refcache/core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hashSlot } from "../src/hash-slot.js";
import { createRedisStores, type RedisStores } from "../src/index.js";
import { keyLayout } from "../src/key-layout.js";
import { describeCluster, RedisCluster } from "./redis-cluster.js";
import { newPrefix } from "./redis-fixture.js";

const TIMEOUT_MS = 1_000;

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined as T);
    if ((value !== undefined && done(value)) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describeCluster("a master restarted mid-run", { timeout: 90_000 }, () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await RedisCluster.start(3, true);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it("fails fast during the gap, loses nothing completed, and hears changes again after", async () => {
    const prefix = newPrefix();
    const layout = keyLayout(prefix, "cluster");
    const made: { stores: RedisStores; cache: RefCache; close(): void }[] = [];
    const open = async (instanceId: string) => {
      const client = cluster.client({ enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 0 } });
      await new Promise<void>((resolve) => client.once("ready", () => resolve()));
      const stores = createRedisStores({ client, prefix, commandTimeoutMs: TIMEOUT_MS });
      const cache = new RefCache({ store: stores.store, taskStore: stores.taskStore, instanceId, taskLeaseMs: 3_000 });
      cache.onTaskChange(() => {});
      await stores.taskStore.changesReady();
      made.push({ stores, cache, close: () => client.disconnect() });
      return cache;
    };
    const a = await open("A");
    const b = await open("B");
    try {
      // The master to restart: the one serving task "done-0"; ids on it and elsewhere.
      const ids = Array.from({ length: 60 }, (_, i) => `done-${i}`);
      const portOf = async (id: string) => cluster.portOfSlot(hashSlot(layout.task(id)));
      const victim = await portOf("done-0");
      const onVictim: string[] = [];
      const elsewhere: string[] = [];
      for (const id of ids) ((await portOf(id)) === victim ? onVictim : elsewhere).push(id);
      /** The first id `<stem>-<n>` whose task lives on the victim. */
      const idOnVictim = async (stem: string) => {
        for (let n = 0; ; n++) if ((await portOf(`${stem}-${n}`)) === victim) return `${stem}-${n}`;
      };
      expect(onVictim.length).toBeGreaterThan(5);
      expect(elsewhere.length).toBeGreaterThan(5);
      for (const id of ids) await a.registerTask(id, async () => ({ id }));
      for (const id of ids) expect(await a.waitForTask(id, { timeoutMs: 5_000 })).toMatchObject({ status: "complete" });

      // A run in progress on the victim while it goes away.
      const running = await idOnVictim("run");
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      await a.registerTask(running, async () => {
        await gate;
        return { finished: true };
      });

      await cluster.killNode(victim);
      // During the gap: calls on the victim's slots fail with STORE_ERROR within the deadline.
      const started = Date.now();
      const failure = await b.getTask(onVictim[1] as string).then(
        () => undefined,
        (error: unknown) => error,
      );
      const took = Date.now() - started;
      expect(RefCacheError.isInstance(failure) && failure.code).toBe("STORE_ERROR");
      expect(took).toBeLessThan(TIMEOUT_MS + 2_000);
      // Other masters keep answering.
      expect(await b.getTask(elsewhere[0] as string)).toMatchObject({ status: "complete" });

      await cluster.startNode(victim, true);
      await cluster.waitUntilOk(victim);
      release();

      // After: every completed task and its value is there.
      for (const id of ids) {
        const task = await poll(
          () => b.getTask(id),
          (t) => t !== undefined,
        );
        expect(task, id).toMatchObject({ status: "complete" });
        expect(await b.get(id)).toEqual({ id });
      }
      // The running task finished or ended "worker lost"; never stuck.
      const fate = await poll(
        () => b.getTask(running),
        (t) => t?.status === "complete" || t?.status === "failed",
      );
      if (fate?.status === "failed") expect(fate.error).toBe(WORKER_LOST_MESSAGE);
      else expect(fate).toMatchObject({ status: "complete" });

      // The change feed is back for the victim's shard channels: B's cancel aborts A's new run there.
      const probeId = await idOnVictim("probe");
      let abortedAt = 0;
      const runs = await poll(
        async () => {
          await a.registerTask(probeId, async ({ signal }) => {
            await new Promise((resolve) => signal.addEventListener("abort", resolve));
            abortedAt = Date.now();
            throw new Error("aborted");
          });
          return true;
        },
        (ok) => ok,
      );
      expect(runs).toBe(true);
      const cancelledAt = Date.now();
      await poll(
        () => b.cancelTask(probeId).then(() => true),
        (ok) => ok,
      );
      await poll(
        async () => abortedAt,
        (at) => at > 0,
        5_000,
      );
      expect(abortedAt).toBeGreaterThan(0);
      console.info(`cluster restart: abort ${abortedAt - cancelledAt} ms after cancel, on the restarted master`);
      // The lease (3 s) renews every second: an abort sooner came through the change feed.
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
