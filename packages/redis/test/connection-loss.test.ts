/**
 * Redis going away: every call fails with STORE_ERROR within `commandTimeoutMs` instead of hanging, and
 * the stores work again once Redis is back, on a redis-server of the test's own; with each transport.
 */
import { expect, it } from "vitest";
import { connectionName } from "../src/create-redis-stores.js";
import type { RedisStores } from "../src/index.js";
import { TRANSPORTS } from "../src/transports.js";
import { describeRedis, rawClient, task, useStores, warmUp } from "./redis-fixture.js";
import { useRedisServer } from "./redis-server.js";

const stores = useStores();
const TIMEOUT_MS = 300;
/** Generous slack over the timeout: the assertion guards against hanging, not against being slow. */
const HANG_BOUND_MS = TIMEOUT_MS + 2_000;

async function rejectsWithStoreError(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await expect(call()).rejects.toMatchObject({ code: "STORE_ERROR", name: "StoreError" });
  return performance.now() - started;
}

/** Retries `call` until it succeeds; Redis reconnects in the background. */
async function eventually<T>(call: () => Promise<T>, attempts = 100): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await call();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

for (const transport of TRANSPORTS) {
  describeRedis(`connection loss (${transport} transport)`, () => {
    const server = useRedisServer();

    it("fails fast with STORE_ERROR while Redis is down and recovers when it is back", async () => {
      const made: RedisStores = stores({ transport, url: server().url, commandTimeoutMs: TIMEOUT_MS });
      const { store, taskStore } = made;
      await warmUp(made);
      await taskStore.create(task("before"));
      await server().stop();

      for (const call of [
        () => taskStore.create(task("during")),
        () => taskStore.get("before"),
        () => taskStore.update(task("before"), 1),
        () => taskStore.list({ limit: 10 }),
        () => store.get("x"),
        () => store.set("x", { data: "1", createdAt: 1 }),
      ]) {
        expect(await rejectsWithStoreError(call)).toBeLessThan(HANG_BOUND_MS);
      }

      // A fresh server knows no scripts: EVALSHA falls back to EVAL.
      await server().restart();
      const created = await eventually(() => taskStore.create(task("after")));
      // A create that timed out on the wire (a loaded machine, a cold script cache) may still have been
      // applied; the retry then finds the id taken by that same first version, never a second task.
      if (!created.ok) expect(created).toMatchObject({ reason: "active", current: { refId: "after", version: 1 } });
      expect(await eventually(() => taskStore.get("after"))).toMatchObject({ status: "pending", version: 1 });
      await eventually(() => store.set("x", { data: "2", createdAt: 1 }));
      expect(await eventually(() => store.get("x"))).toMatchObject({ data: "2" });
    });

    it("times out against a Redis that stops answering, loses nothing, and resumes", async () => {
      const made = stores({ transport, url: server().url, commandTimeoutMs: TIMEOUT_MS });
      const { taskStore } = made;
      await warmUp(made);
      const t = task("frozen");
      await taskStore.create(t);
      server().freeze(true);
      try {
        expect(await rejectsWithStoreError(() => taskStore.get("frozen"))).toBeLessThan(HANG_BOUND_MS);
        const error = await taskStore.get("frozen").catch((e: unknown) => e);
        expect(String((error as Error).message)).toMatch(/did not answer .* within 300 ms/);
        // Calls started at different times each get their whole timeout, however their deadlines are kept.
        const first = rejectsWithStoreError(() => taskStore.get("frozen"));
        await new Promise((r) => setTimeout(r, TIMEOUT_MS / 2));
        const second = rejectsWithStoreError(() => taskStore.update({ ...t, status: "processing" }, 1));
        for (const elapsed of await Promise.all([first, second])) {
          expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
          expect(elapsed).toBeLessThan(HANG_BOUND_MS);
        }
      } finally {
        server().freeze(false);
      }
      const after = await eventually(() => taskStore.update({ ...t, status: "processing" }, 1));
      // As above: an update that timed out may have landed, and then the retry's compare-and-set fails on it.
      if (!after.ok) expect(after.current).toMatchObject({ status: "processing", version: 2 });
      expect(await eventually(() => taskStore.get("frozen"))).toMatchObject({ status: "processing", version: 2 });
    });

    it("never sends a call late that timed out waiting for the connection", async () => {
      const made = stores({ transport, url: server().url, commandTimeoutMs: TIMEOUT_MS });
      const { taskStore } = made;
      await warmUp(made);
      await taskStore.create(task("before"));
      await server().stop();
      // Until the client has noticed and is reconnecting, a call fails on the dead socket instead; from
      // then on calls wait for the connection, which is the case this test is about.
      for (let attempt = 1; ; attempt++) {
        const probe = await taskStore.get("probe").catch((e: unknown) => e);
        if (/did not answer/.test(String((probe as Error | undefined)?.message))) break;
        if (attempt >= 50) throw new Error(`calls never started waiting for the connection: ${String(probe)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const error = await taskStore.create(task("late")).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "STORE_ERROR", message: expect.stringMatching(/did not answer/) });
      await server().restart();
      expect(await eventually(() => taskStore.get("before"))).toBeUndefined();
      // Give a late send every chance to land before looking for it.
      await new Promise((r) => setTimeout(r, 100));
      expect(await taskStore.get("late")).toBeUndefined();
    });

    it("redelivers changes after the subscriber's connection comes back", async () => {
      const writer = stores({ transport, url: server().url, commandTimeoutMs: TIMEOUT_MS });
      const reader = stores({ transport, url: server().url, prefix: writer.prefix, commandTimeoutMs: TIMEOUT_MS });
      const seen: string[] = [];
      reader.taskStore.subscribe((c) => seen.push(c.task.refId));
      await reader.taskStore.changesReady();
      await server().stop();
      await server().restart();
      // Publish until the resubscribed reader hears one: messages sent while it reconnects are lost by design.
      await eventually(async () => {
        await writer.taskStore.create(task(`ping-${seen.length}-${Math.random()}`));
        if (seen.length === 0) throw new Error("not yet");
      });
      expect(seen.length).toBeGreaterThan(0);
    });

    it("reconnects after its connection is killed on the shared Redis", async () => {
      const admin = rawClient();
      const made = stores({ transport, commandTimeoutMs: TIMEOUT_MS });
      const { taskStore, prefix } = made;
      await warmUp(made);
      await taskStore.create(task("k"));
      const name = connectionName(prefix, "store");
      const mine = String(await admin.client("LIST"))
        .split("\n")
        .filter((line) => line.includes(` name=${name} `));
      expect(mine).toHaveLength(1);
      const id = /\bid=(\d+)/.exec(mine[0] as string)?.[1];
      expect(id).toBeDefined();
      await admin.client("KILL", "ID", id as string);
      const outcome = await taskStore.get("k").then(
        (t) => t?.refId,
        (e: { code?: string }) => e.code,
      );
      expect(["k", "STORE_ERROR"]).toContain(outcome);
      expect(await eventually(() => taskStore.get("k"))).toMatchObject({ refId: "k" });
      admin.disconnect();
    });
  });
}
