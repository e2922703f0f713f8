/**
 * This package's own store tests, run inside workerd beside core's conformance suite: what only Durable
 * Objects do (alarms, shards, chunks, pushed changes) and the races the issue names.
 */
import { RefCache, RefCacheError, WORKER_LOST_MESSAGE } from "@mcp-refcache/core";
import type { StoredTask, TaskChange } from "@mcp-refcache/core/store";
import { CHUNK_BYTES, callBytes, DURABLE_OBJECT_CALL_BYTES, LEASE_GRACE_MS } from "../../src/index.js";
import { freshStores } from "./fresh-stores.js";
import { describe, expect, it } from "./vitest-shim.js";

const until = async (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: never held within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const draft = (refId: string, now: number, extra: Partial<StoredTask> = {}): StoredTask => ({
  refId,
  status: "processing",
  startedAt: now,
  updatedAt: now,
  retryCount: 0,
  runId: `run-${refId}`,
  version: 0,
  leaseMs: 60_000,
  ...extra,
});

/** Runs `body` with fresh stores and always empties them. */
const withStores =
  (body: (s: ReturnType<typeof freshStores>) => Promise<void>, options: Parameters<typeof freshStores>[0] = {}) =>
  async () => {
    const stores = freshStores(options);
    try {
      await body(stores);
    } finally {
      await stores.cleanup();
    }
  };

export function defineStoreTests(): void {
  describe("values in chunks", () => {
    it(
      "a 10 MB value (multi-byte text across chunk edges) reads back exactly, with its TTL",
      withStores(async ({ store }) => {
        // "é" is 2 bytes and "😀" 4 in UTF-8: chunk edges fall inside characters.
        const unit = 'aé😀"\\\n';
        const text = JSON.stringify(unit.repeat(Math.ceil((10 * 1024 * 1024) / 12)));
        expect(new TextEncoder().encode(text).length).toBeGreaterThan(10 * CHUNK_BYTES);
        const expiresAt = Date.now() + 60_000;
        await store.set("big", { data: text, createdAt: 1, expiresAt, owner: "o" });
        const read = await store.get("big");
        expect(read?.data.length).toBe(text.length);
        expect(read?.data === text).toBe(true);
        expect(await store.stat?.("big")).toEqual({ createdAt: 1, expiresAt, owner: "o" });
        await store.set("big", { data: '"small"', createdAt: 2 });
        expect(await store.get("big")).toEqual({ data: '"small"', createdAt: 2 });
      }),
    );

    it(
      "a value no call to an object carries is refused at once: set, and a task's result, which fails",
      withStores(async ({ store, taskStore }) => {
        const cache = new RefCache({ store, taskStore });
        try {
          // 20 Mi characters, one past Latin-1: 40 MiB in a call (V8 sends such a string as UTF-16).
          const wide = `${"é".repeat(10 * 1024 * 1024)}中${"a".repeat(10 * 1024 * 1024)}`;
          expect(callBytes(JSON.stringify(wide))).toBeGreaterThan(DURABLE_OBJECT_CALL_BYTES);
          const refused = await cache.set("wide", wide).catch((error: unknown) => error);
          expect(RefCacheError.isInstance(refused, "VALIDATION_ERROR")).toBe(true);
          expect(String((refused as Error).message)).toMatch(/past the \d+ one call carries/);
          // The same length of Latin-1 text goes (20 MiB in a call).
          await cache.set("narrow", "é".repeat(20 * 1024 * 1024));
          expect(((await cache.get("narrow")) as string).length).toBe(20 * 1024 * 1024);
          // Latin-1 text V8 holds two bytes a character (cut from a string with a wider one) goes too: it is
          // sent one byte a character, as callBytes counts it, not as 40 MiB.
          const held = `ā${JSON.stringify("é".repeat(20 * 1024 * 1024))}`.substring(1);
          expect(callBytes(held)).toBeLessThan(DURABLE_OBJECT_CALL_BYTES);
          await store.set("held", { data: held, createdAt: 1 });
          expect((await store.get("held"))?.data === held).toBe(true);
          await cache.registerTask("job", async () => wide);
          await until(async () => (await cache.getTask("job"))?.status === "failed", 10_000, "job failed");
          expect((await cache.getTask("job"))?.error).toMatch(/^result could not be stored: .*one call carries/);
        } finally {
          await cache.close();
        }
      }),
    );

    it(
      "an expired value is gone by the shard's clock, and prune removes nothing unexpired",
      withStores(async ({ store }) => {
        // Two seconds to live leave a loaded machine room to read it back first (200 ms did not, once).
        await store.set("short", { data: "1", createdAt: 1, expiresAt: Date.now() + 2_000 });
        await store.set("long", { data: "2", createdAt: 1, expiresAt: Date.now() + 60_000 });
        expect((await store.get("short"))?.data).toBe("1");
        await until(async () => (await store.get("short")) === undefined, 10_000, "short expired");
        expect(await store.prune?.(Date.now())).toBeLessThanOrEqual(1);
        expect((await store.get("long"))?.data).toBe("2");
      }),
    );
  });

  describe("shards", () => {
    it(
      "100 concurrent registrations of one id from 100 Workers' caches: exactly one run",
      withStores(async (s) => {
        let runs = 0;
        const caches = Array.from({ length: 100 }, (_, i) => {
          const { store, taskStore } = s.again();
          return new RefCache({ store, taskStore, instanceId: `w${i}` });
        });
        try {
          const outcomes = await Promise.allSettled(
            caches.map((cache) =>
              cache.registerTask("one", async () => {
                runs++;
                return "done";
              }),
            ),
          );
          const won = outcomes.filter((o) => o.status === "fulfilled");
          expect(won).toHaveLength(1);
          for (const lost of outcomes.filter((o) => o.status === "rejected")) {
            expect(RefCacheError.isInstance(lost.reason, "TASK_ALREADY_ACTIVE")).toBe(true);
          }
          await until(async () => (await s.taskStore.get("one"))?.status === "complete", 5_000, "complete");
          expect(runs).toBe(1);
        } finally {
          await Promise.all(caches.map((cache) => cache.close()));
        }
      }),
    );

    it(
      "maxActiveTasks counts across shards and frees a slot when a task ends, from other Workers too",
      withStores(async (s) => {
        const other = s.again();
        const now = Date.now();
        const ids = Array.from({ length: 12 }, (_, i) => `cap${i}`);
        const outcomes = await Promise.all(
          ids.map((id, i) => (i % 2 === 0 ? s : other).taskStore.create(draft(id, now), { maxActiveTasks: 4 })),
        );
        const admitted = outcomes.flatMap((o) => (o.ok ? [o.task] : []));
        expect(admitted).toHaveLength(4);
        const refused = ids.find((id) => !admitted.some((t) => t.refId === id)) as string;
        expect(await s.taskStore.create(draft(refused, now), { maxActiveTasks: 4 })).toMatchObject({
          ok: false,
          reason: "capacity",
          activeTasks: 4,
        });
        const first = admitted[0] as StoredTask;
        const done: StoredTask = { ...first, status: "failed", completedAt: now };
        delete done.leaseMs;
        expect((await other.taskStore.update(done, 1)).ok).toBe(true);
        expect(await s.taskStore.create(draft(refused, now), { maxActiveTasks: 4 })).toMatchObject({ ok: true });
      }),
    );
  });

  describe("leases and pushed changes", () => {
    it(
      "a run that stops renewing its lease ends failed by the shard's alarm, with no instance polling",
      withStores(async ({ taskStore }) => {
        const changes: TaskChange[] = [];
        const unsubscribe = taskStore.subscribe?.((change) => changes.push(change)) ?? (() => {});
        try {
          const now = Date.now();
          // A Worker registered this run and died: nobody renews the 300 ms lease.
          await taskStore.create(draft("dead", now, { leaseMs: 300 }));
          await taskStore.create(draft("alive", now));
          await until(
            async () => (await taskStore.get("dead"))?.status === "failed",
            300 + LEASE_GRACE_MS + 5_000,
            "alarm failed the task",
          );
          const dead = await taskStore.get("dead");
          expect(dead).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE, version: 2 });
          expect(dead?.leaseMs).toBeUndefined();
          expect(dead?.leaseExpired).toBeUndefined();
          expect(dead?.completedAt).toBeGreaterThanOrEqual(now + 300);
          expect((await taskStore.get("alive"))?.status).toBe("processing");
          // Subscribers hear of it as of any write.
          await until(
            () => changes.some((c) => c.task.refId === "dead" && c.task.status === "failed"),
            2_000,
            "pushed",
          );
        } finally {
          unsubscribe();
        }
      }),
    );

    it(
      "leases are judged on the shard's clock: a writer's clock an hour off neither ends nor keeps a lease",
      withStores(async (s) => {
        const other = s.again();
        const hour = 3_600_000;
        const now = Date.now();
        // A writer an hour behind granting 60 s: by the shard's clock the lease runs 60 s, not long gone.
        await s.taskStore.create(draft("behind", now - hour));
        // A writer an hour ahead granting 300 ms: it runs out in 300 ms, not in an hour.
        await other.taskStore.create(draft("ahead", now + hour, { leaseMs: 300 }));
        await until(
          async () => (await s.taskStore.get("ahead"))?.leaseExpired === true,
          300 + 5_000,
          "the short lease said to have run out",
        );
        await until(
          async () => (await s.taskStore.get("ahead"))?.status === "failed",
          LEASE_GRACE_MS + 5_000,
          "the short lease ended by the shard's alarm",
        );
        expect(await s.taskStore.get("ahead")).toMatchObject({ error: WORKER_LOST_MESSAGE });
        const behind = await s.taskStore.get("behind");
        expect(behind?.status).toBe("processing");
        expect(behind?.leaseExpired).toBeUndefined();
        expect(await s.taskStore.listExpiredLeases(10)).toEqual([]);
        // A lost task holds no capacity: with "behind" live and "ahead" failed, a second task fits under 2.
        expect(await other.taskStore.create(draft("next", now), { maxActiveTasks: 2 })).toMatchObject({ ok: true });
        expect(await other.taskStore.create(draft("over", now), { maxActiveTasks: 2 })).toMatchObject({
          ok: false,
          reason: "capacity",
          activeTasks: 2,
        });
      }),
    );

    it(
      "a clean-up by another Worker tells subscribers which ids it removed (onRemoved)",
      withStores(async (s) => {
        const removedSeen: string[] = [];
        const unsubscribe =
          s.taskStore.subscribe?.(() => {}, { onRemoved: (ids) => removedSeen.push(...ids) }) ?? (() => {});
        const other = s.again();
        try {
          const now = Date.now();
          for (const id of ["gone1", "gone2", "gone3"]) {
            await s.taskStore.create(draft(id, now));
            const done: StoredTask = { ...draft(id, now), status: "complete", completedAt: now };
            delete done.leaseMs;
            expect((await s.taskStore.update(done, 1)).ok).toBe(true);
          }
          await s.taskStore.create(draft("kept", now));
          expect((await other.taskStore.removeFinished(0, 10)).sort()).toEqual(["gone1", "gone2", "gone3"]);
          await until(() => removedSeen.length === 3, 2_000, "removals pushed");
          expect(removedSeen.sort()).toEqual(["gone1", "gone2", "gone3"]);
          expect(await s.taskStore.get("kept")).toBeDefined();
        } finally {
          unsubscribe();
          await other.taskStore.close?.();
        }
      }),
    );

    it(
      "a cancel written by another Worker aborts the run within 1 s (pushed, not the lease renewal)",
      withStores(async (s) => {
        const runner = new RefCache({
          store: s.store,
          taskStore: s.taskStore,
          instanceId: "runner",
          taskLeaseMs: 60_000,
        });
        const other = s.again();
        const canceller = new RefCache({ store: other.store, taskStore: other.taskStore, instanceId: "canceller" });
        try {
          let signal: AbortSignal | undefined;
          await runner.registerTask("job", ({ signal: given }) => {
            signal = given;
            return new Promise(() => {});
          });
          await until(() => signal !== undefined, 2_000, "run started");
          // Let the runner's sockets open, as a real second request would come later.
          await s.taskStore.get("job");
          const cancelledAt = Date.now();
          await canceller.cancelTask("job", "stop");
          await until(() => signal?.aborted === true, 1_000, "aborted within 1 s");
          expect(Date.now() - cancelledAt).toBeLessThan(1_000);
          expect(await canceller.getTask("job")).toMatchObject({ status: "cancelled", error: "stop" });
        } finally {
          await Promise.all([runner.close(), canceller.close(), other.taskStore.close?.()]);
        }
      }),
    );

    it(
      "a subscriber whose sockets close (the shard restarted) opens them again and misses nothing",
      withStores(async (s) => {
        const changes: TaskChange[] = [];
        const unsubscribe = s.taskStore.subscribe?.((change) => changes.push(change)) ?? (() => {});
        const other = s.again();
        try {
          const now = Date.now();
          await s.taskStore.create(draft("r", now));
          await until(() => changes.length === 1, 2_000, "first change");
          const namespace = s.env.REFCACHE as DurableObjectNamespace<import("../../src/index.js").RefCacheShard>;
          await Promise.all(
            Array.from({ length: 4 }, (_, i) =>
              namespace.get(namespace.idFromName(`${s.prefix}:shard:${i}`)).closeSubscribers(),
            ),
          );
          // Written by another Worker while this one's sockets are down.
          await other.taskStore.update({ ...draft("r", now), progress: { current: 1 } }, 1, undefined, "other");
          await until(() => changes.some((c) => c.task.version === 2), 5_000, "change after reconnect");
        } finally {
          unsubscribe();
          await other.taskStore.close?.();
        }
      }),
    );

    it(
      "lists merge shards by id: pages of a stable cursor see each task once while tasks are added",
      withStores(async ({ taskStore }) => {
        const now = Date.now();
        for (let i = 0; i < 30; i++) await taskStore.create(draft(`p${String(i).padStart(2, "0")}`, now));
        const seen: string[] = [];
        let cursor: string | undefined;
        let added = 0;
        do {
          const page = await taskStore.list({ limit: 7, ...(cursor === undefined ? {} : { cursor }) });
          seen.push(...page.tasks.map((t) => t.refId));
          cursor = page.nextCursor;
          // Ids before the cursor appear meanwhile: they must not shift the pages.
          if (added < 3) await taskStore.create(draft(`a${added++}`, now));
        } while (cursor !== undefined);
        expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `p${String(i).padStart(2, "0")}`));
        await expect(taskStore.list({ limit: 5, cursor: "m1.p01" })).rejects.toMatchObject({
          code: "VALIDATION_ERROR",
        });
      }),
    );
  });
}
