/**
 * `queryTasks` on the cluster layout (here on one Redis with `layout: "cluster"`, the same scripts a cluster
 * runs): pages merged over every bucket in creation order, each task once even while tasks are created
 * and removed between pages, and cursors that tell nothing about other owners. Plus capacity, cleanup and
 * lease listing walking every bucket.
 */
import { expect, it } from "vitest";
import { capacityLockKey } from "../src/cluster-capacity.js";
import type { StoredTask } from "../src/contract.js";
import { keyLayout } from "../src/key-layout.js";
import { describeRedis, rawClient, task, useStores } from "./redis-fixture.js";

const stores = useStores();

/** Waits (on the condition, not a fixed time) until `read` gives `want` tasks: leases end on Redis's clock. */
async function until(read: () => Promise<unknown[]>, want: number): Promise<void> {
  for (let i = 0; i < 2000 && (await read()).length !== want; i++) await new Promise((r) => setTimeout(r, 2));
}

async function listAll(
  list: (cursor?: string) => Promise<{ tasks: StoredTask[]; nextCursor?: string }>,
  between?: (page: number) => Promise<void>,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    const result = await list(cursor);
    ids.push(...result.tasks.map((t) => t.refId));
    if (result.nextCursor === undefined) return ids;
    cursor = result.nextCursor;
    await between?.(page);
  }
}

describeRedis('listing on the cluster layout ("cluster" on one Redis)', () => {
  it("merges every bucket in creation order, each task once, while tasks come and go", async () => {
    const { taskStore } = stores({ layout: "cluster" });
    const ids = Array.from({ length: 60 }, (_, i) => `l${String(i).padStart(2, "0")}`);
    const layout = keyLayout("x:", "cluster");
    expect(new Set(ids.map((id) => layout.bucketOf(id).index)).size).toBeGreaterThan(10);
    for (const id of ids) await taskStore.create(task(id));
    const listed = await listAll(
      (cursor) => taskStore.list({ limit: 7, cursor }),
      // Between pages: a new task (created after every listed one, so it comes last) and a removal of
      // one not listed yet (which then never shows).
      async (page) => {
        await taskStore.create(task(`new-${page}`));
      },
    );
    const created = listed.filter((id) => id.startsWith("l"));
    expect(created).toEqual(ids);
    expect(listed.slice(ids.length)).toEqual(listed.filter((id) => id.startsWith("new-")));
    expect(new Set(listed).size).toBe(listed.length);
  });

  it("pages an owner's tasks only, and refuses another owner's cursor like an unknown one", async () => {
    const { taskStore } = stores({ layout: "cluster" });
    for (let i = 0; i < 30; i++) await taskStore.create(task(`o${i}`, { owner: i % 3 === 0 ? "alice" : "bob" }));
    const alice = await listAll((cursor) => taskStore.list({ limit: 4, owner: "alice", cursor }));
    expect(alice).toEqual(Array.from({ length: 10 }, (_, i) => `o${i * 3}`));
    const bobPage = await taskStore.list({ limit: 2, owner: "bob" });
    const bobCursor = bobPage.nextCursor as string;
    const refusal = { code: "VALIDATION_ERROR" };
    await expect(taskStore.list({ limit: 2, owner: "alice", cursor: bobCursor })).rejects.toMatchObject(refusal);
    await expect(taskStore.list({ limit: 2, owner: "alice", cursor: "r2.no-such-id" })).rejects.toMatchObject(refusal);
    // Server-side code (no owner) may continue any cursor.
    expect((await taskStore.list({ limit: 2, cursor: bobCursor })).tasks).toHaveLength(2);
  });

  it("cleans up and reaps leases in every bucket, oldest first, within the limit", async () => {
    const { taskStore } = stores({ layout: "cluster" });
    const ids = Array.from({ length: 40 }, (_, i) => `f${i}`);
    for (const id of ids) {
      const created = await taskStore.create(task(id, { leaseMs: 1 }));
      expect(created.ok).toBe(true);
    }
    await until(() => taskStore.listExpiredLeases(100), ids.length);
    const lost = await taskStore.listExpiredLeases(100);
    expect(lost.map((t) => t.refId).sort()).toEqual([...ids].sort());
    expect(await taskStore.listExpiredLeases(5)).toHaveLength(5);
    for (const id of ids) {
      const current = (await taskStore.get(id)) as StoredTask;
      await taskStore.update({ ...current, status: "failed", completedAt: 1, leaseMs: undefined }, current.version);
    }
    expect(await taskStore.listExpiredLeases(100)).toEqual([]);
    const first = await taskStore.removeFinished(0, 15);
    // Oldest first over every bucket: they finished in the order of `ids`, on one node's clock.
    expect(first).toEqual(ids.slice(0, 15));
    const rest = await taskStore.removeFinished(0, 100);
    expect(new Set(rest)).toEqual(new Set(ids.slice(15)));
    expect((await taskStore.list({ limit: 100 })).tasks).toEqual([]);
  });

  it("tells subscribers of changes and removals in every bucket", async () => {
    const { taskStore } = stores({ layout: "cluster" });
    const changed = new Set<string>();
    const removed = new Set<string>();
    taskStore.subscribe((change) => changed.add(change.task.refId), {
      onRemoved: (ids) => {
        for (const id of ids) removed.add(id);
      },
    });
    await taskStore.changesReady();
    const ids = Array.from({ length: 32 }, (_, i) => `s${i}`);
    const layout = keyLayout("x:", "cluster");
    expect(new Set(ids.map((id) => layout.bucketOf(id).index)).size).toBeGreaterThan(10);
    for (const id of ids) {
      await taskStore.create(task(id));
      const current = (await taskStore.get(id)) as StoredTask;
      await taskStore.update({ ...current, status: "failed", completedAt: 1 }, current.version);
    }
    await expect.poll(() => changed.size).toBe(ids.length);
    expect(await taskStore.removeFinished(0, 100)).toHaveLength(ids.length);
    await expect.poll(() => removed.size).toBe(ids.length);
  });

  it("counts capacity over every bucket, and a lost lease frees its place", async () => {
    const { taskStore } = stores({ layout: "cluster" });
    const ids = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const outcomes = await Promise.all(ids.map((id) => taskStore.create(task(id), { maxActiveTasks: 5 })));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(5);
    expect(outcomes.find((o) => !o.ok)).toMatchObject({ reason: "capacity", activeTasks: 5 });
    // An id already active is refused as active, not for capacity.
    const running = ids.find((_, i) => outcomes[i]?.ok) as string;
    expect(await taskStore.create(task(running), { maxActiveTasks: 5 })).toMatchObject({ reason: "active" });
    const short = stores({ layout: "cluster" }).taskStore;
    // A lease long enough that "early" surely comes while it runs, even on a loaded machine.
    expect(await short.create(task("lease", { leaseMs: 2_000 }), { maxActiveTasks: 1 })).toMatchObject({ ok: true });
    expect(await short.create(task("early"), { maxActiveTasks: 1 })).toMatchObject({ reason: "capacity" });
    await until(() => short.listExpiredLeases(10), 1);
    expect(await short.create(task("next"), { maxActiveTasks: 1 })).toMatchObject({ ok: true });
  });

  it("waits for a capacity lock left by a dead holder until it expires, and fails with STORE_ERROR past the deadline", async () => {
    const { taskStore, prefix } = stores({ layout: "cluster", commandTimeoutMs: 1_500 });
    const admin = rawClient();
    const lock = capacityLockKey(keyLayout(prefix, "cluster"));
    try {
      // A holder that died 200 ms before its lock expires: the create goes through once it has.
      await admin.set(lock, "dead-holder", "PX", 200);
      expect(await taskStore.create(task("after-expiry"), { maxActiveTasks: 5 })).toMatchObject({ ok: true });
      expect(await admin.exists(lock)).toBe(0);
      // A lock that outlives the command timeout: STORE_ERROR, nothing created; creates without a limit never wait.
      await admin.set(lock, "dead-holder", "PX", 60_000);
      await expect(taskStore.create(task("blocked"), { maxActiveTasks: 5 })).rejects.toMatchObject({
        code: "STORE_ERROR",
      });
      expect(await taskStore.get("blocked")).toBeUndefined();
      expect(await taskStore.create(task("unlimited"))).toMatchObject({ ok: true });
    } finally {
      await admin.del(lock);
      admin.disconnect();
    }
  });
});
