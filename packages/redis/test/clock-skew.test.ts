/**
 * Instances whose clocks disagree share one Redis: leases and the age of finished tasks are judged on the
 * Redis server's clock, so a reader far ahead (or behind) neither loses a healthy task nor removes a
 * fresh result, and a writer far behind does not make its own lease look lost to others.
 */
import { RefCache } from "@mcp-refcache/core";
import { expect, it } from "vitest";
import { describeRedis, useStores } from "./redis-fixture.js";

const stores = useStores();

/** A clock `offsetMs` away from this machine's. */
const skewed = (offsetMs: number) => ({ now: () => Date.now() + offsetMs });

describeRedis("clock skew between instances", () => {
  it("a reader 45 s ahead (lease 30 s) sees the other's healthy task as running and leaves it be", async () => {
    const { store, taskStore } = stores();
    const a = new RefCache({ store, taskStore, taskLeaseMs: 30_000, instanceId: "a" });
    const b = new RefCache({ store, taskStore, taskLeaseMs: 30_000, instanceId: "b", clock: skewed(45_000) });
    try {
      let signal: AbortSignal | undefined;
      await a.registerTask("healthy", ({ signal: given }) => {
        signal = given;
        return new Promise(() => {});
      });
      expect(await b.getTask("healthy")).toMatchObject({ status: "processing" });
      expect((await b.queryTasks({ status: "processing" })).tasks.map((t) => t.refId)).toEqual(["healthy"]);
      await b.cleanupTasks();
      await b.registerTask("b-own", {}); // B's own writes carry no time A would judge
      expect(await a.getTask("b-own")).toMatchObject({ status: "pending" });
      expect(await a.getTask("healthy")).toMatchObject({ status: "processing" });
      expect(signal?.aborted).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("a reader 120 s ahead sees another's live value (TTL 60 s) as live, and no owner may take it over", async () => {
    const { store, taskStore } = stores();
    const a = new RefCache({ store, taskStore, instanceId: "a" });
    const b = new RefCache({ store, taskStore, instanceId: "b", clock: skewed(120_000) });
    try {
      await a.set("k", { secret: 1 }, { owner: "auth:alice", ttlMs: 60_000 });
      expect(await b.get("k", { owner: "auth:alice" })).toEqual({ secret: 1 });
      expect(await b.has("k", { owner: "auth:alice" })).toBe(true);
      await expect(b.set("k", { mine: 2 }, { owner: "auth:bob" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(b.registerTask("k", {}, { owner: "auth:bob" })).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await a.get("k", { owner: "auth:alice" })).toEqual({ secret: 1 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("a writer 45 s behind runs a task that a reader on time sees as running", async () => {
    const { store, taskStore } = stores();
    const behind = new RefCache({
      store,
      taskStore,
      taskLeaseMs: 30_000,
      instanceId: "behind",
      clock: skewed(-45_000),
    });
    const onTime = new RefCache({ store, taskStore, taskLeaseMs: 30_000, instanceId: "on-time" });
    try {
      await behind.registerTask("job", new Promise(() => {}));
      expect(await onTime.getTask("job")).toMatchObject({ status: "processing" });
      expect((await onTime.queryTasks({})).tasks.map((t) => t.status)).toEqual(["processing"]);
    } finally {
      await Promise.all([behind.close(), onTime.close()]);
    }
  });

  it("a clean-up 10 minutes ahead keeps a result that just finished (retention 5 minutes)", async () => {
    const { store, taskStore } = stores();
    const a = new RefCache({ store, taskStore, instanceId: "a" });
    const b = new RefCache({ store, taskStore, instanceId: "b", clock: skewed(600_000), taskRetentionMs: 300_000 });
    try {
      await a.registerTask("fresh", Promise.resolve({ rows: 1 }));
      expect(await a.waitForTask("fresh", { timeoutMs: 5_000 })).toMatchObject({ status: "complete" });
      expect(await b.cleanupTasks()).toBe(0);
      expect(await a.getTask("fresh")).toMatchObject({ status: "complete" });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
