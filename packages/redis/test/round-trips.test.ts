/**
 * Proves "one round trip per transition", with each transport, by watching the store's own connection
 * with MONITOR on a second connection and counting the commands each call sends.
 */
import { expect, it } from "vitest";
import type { StoredTask } from "../src/contract.js";
import { TRANSPORTS } from "../src/transports.js";
import { useCommandMonitor } from "./command-monitor.js";
import { describeRedis, sleep, task, useStores } from "./redis-fixture.js";

const stores = useStores();

for (const transport of TRANSPORTS) {
  describeRedis(`round trips (${transport} transport)`, () => {
    const monitor = useCommandMonitor();
    const { commandsOf } = monitor;

    it("sends exactly one command for each task transition and read", async () => {
      const { taskStore, store } = stores({ client: monitor.client, transport });
      // Warm up: Redis learns the scripts (EVALSHA falls back to EVAL once per script after a flush).
      const warm = task("warm");
      await taskStore.create(warm);
      await taskStore.update({ ...warm, status: "processing" }, 1);
      await taskStore.update({ ...warm, status: "complete", completedAt: 1 }, 2, { data: "1", createdAt: 1 });
      await store.set("warm-value", { data: "1", createdAt: 1 });
      await taskStore.list({ limit: 1 });
      await taskStore.listExpiredLeases(1);
      await taskStore.removeFinished(0, 1);
      await sleep(10);

      const t: StoredTask = task("a", { owner: "o" });
      expect(await commandsOf(() => taskStore.create(t, { maxActiveTasks: 100 }))).toEqual(["evalsha"]);
      expect(await commandsOf(() => taskStore.update({ ...t, status: "processing", leaseMs: 9 }, 1))).toEqual([
        "evalsha",
      ]);
      for (let v = 2; v <= 4; v++) {
        const progress = { ...t, status: "processing" as const, progress: { current: v, total: 10 } };
        expect(await commandsOf(() => taskStore.update(progress, v))).toEqual(["evalsha"]);
      }
      const complete = { ...t, status: "complete" as const, completedAt: 10 };
      const result = { data: '{"ok":true}', createdAt: 10, expiresAt: 1_000_000 };
      expect(await commandsOf(() => taskStore.update(complete, 5, result))).toEqual(["evalsha"]);
      expect(await commandsOf(() => taskStore.get("a"))).toEqual(["evalsha"]);
      expect(await commandsOf(() => store.get("a"))).toEqual(["hgetall"]);
      expect(await commandsOf(() => store.set("b", result))).toEqual(["evalsha"]);
      expect(await commandsOf(() => taskStore.list({ limit: 10, owner: "o" }))).toEqual(["evalsha"]);
      expect(await commandsOf(() => taskStore.removeFinished(100, 10))).toEqual(["evalsha"]);
    });
  });
}
