/**
 * The synchronous local views of a RefCache on Redis forget the tasks another instance's clean-up removed:
 * the cleanup script publishes the removed ids, and every subscribed instance drops them.
 */
import { RefCache } from "@mcp-refcache/core";
import { expect, it } from "vitest";
import { describeRedis, useStores } from "./redis-fixture.js";

const stores = useStores();

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition never held");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describeRedis("local views on Redis", () => {
  it("A stops listing the finished tasks B's clean-up removed", async () => {
    const first = stores();
    const second = stores({ prefix: first.prefix });
    const a = new RefCache({ store: first.store, taskStore: first.taskStore, instanceId: "a" });
    const b = new RefCache({ store: second.store, taskStore: second.taskStore, instanceId: "b" });
    try {
      a.onTaskChange(() => {});
      await first.taskStore.changesReady();
      for (let i = 0; i < 600; i++) {
        await a.registerTask(`t${i}`, {});
        await a.completeTask(`t${i}`, i);
      }
      expect(a.listTasks({ status: "complete" })).toHaveLength(600);
      expect(await b.cleanupTasks(0)).toBe(600);
      await until(() => a.listTasks().length === 0);
      expect(a.getTaskStatus("t1")).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
