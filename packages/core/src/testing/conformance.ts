/**
 * The conformance suite every store pair (value Store + TaskStore) must pass: memory, Redis, or yours.
 * Call `describeStoreConformance` from a vitest test file with a factory of fresh, empty stores.
 */
import { describe, expect, it } from "vitest";
import { WORKER_LOST_MESSAGE } from "../liveness.js";
import { RefCache } from "../ref-cache.js";
import type { Store, StoreEntry } from "../store.js";
import type { StoredTask, TaskChange, TaskStore } from "../task-store.js";

export interface ConformanceStores {
  store: Store;
  taskStore: TaskStore;
  /** Called after each test: delete what the test wrote, close connections. */
  cleanup?: () => Promise<void>;
}

/** A clock at the real time (so native TTLs agree with it) that moves only when told to. */
class SteppingClock {
  time = Date.now();
  now(): number {
    return this.time;
  }
}

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 2_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition never held");
    await new Promise((r) => setTimeout(r, 5));
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

/** Ends `refId`'s lease (created by `draft`, version `version`) as soon as the store can: a 1 ms lease. */
const expireLease = async (taskStore: TaskStore, refId: string, now: number, version = 1): Promise<void> => {
  const outcome = await taskStore.update(draft(refId, now, { leaseMs: 1 }), version);
  if (!outcome.ok) throw new Error(`could not shorten the lease of ${refId}`);
  await until(async () => (await taskStore.get(refId))?.leaseExpired === true);
};

/** Waits until `ms` have passed on this process's clock (stores measure the same durations on theirs). */
const pass = (ms: number): Promise<void> => {
  const end = Date.now() + ms;
  return until(() => Date.now() >= end, ms + 2_000);
};

export function describeStoreConformance(
  name: string,
  makeStores: () => ConformanceStores | Promise<ConformanceStores>,
) {
  /** Runs `body` with fresh stores, always cleaning up. */
  const withStores = (body: (s: ConformanceStores) => Promise<void>) => async () => {
    const stores = await makeStores();
    try {
      await body(stores);
    } finally {
      await stores.cleanup?.();
    }
  };
  /** Two caches over the same stores, as two instances behind a load balancer. */
  const withTwoCaches = (
    body: (a: RefCache, b: RefCache, clock: SteppingClock, s: ConformanceStores) => Promise<void>,
  ) =>
    withStores(async (s) => {
      const clock = new SteppingClock();
      const options = { store: s.store, taskStore: s.taskStore, clock, taskLeaseMs: 60_000 };
      const a = new RefCache({ ...options, instanceId: "a" });
      const b = new RefCache({ ...options, instanceId: "b" });
      try {
        await body(a, b, clock, s);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

  describe(`${name}: value Store`, () => {
    it(
      "writes, reads, stats and deletes entries",
      withStores(async ({ store }) => {
        expect(await store.get("k")).toBeUndefined();
        await store.set("k", { data: '{"n":1}', createdAt: 1, expiresAt: Date.now() + 60_000, owner: "o" });
        expect(await store.get("k")).toMatchObject({ data: '{"n":1}', createdAt: 1, owner: "o" });
        if (store.stat !== undefined) expect(await store.stat("k")).not.toHaveProperty("data");
        expect(await store.delete("k")).toBe(true);
        expect(await store.delete("k")).toBe(false);
      }),
    );

    it(
      "keeps every field of an entry: set → get and stat, and a task's result written with its update",
      withStores(async ({ store, taskStore }) => {
        const now = Date.now();
        // `satisfies Required<…>`: a field added to StoreEntry fails to compile here until it is checked.
        const full = {
          data: '{"n":"ü😀"}',
          createdAt: now,
          expiresAt: now + 60_000,
          owner: "owner-ü",
          version: 123_456_789,
          // A store that dropped this would hand an execute-only secret to every read path.
          executeOnly: true,
        } satisfies Required<StoreEntry>;
        await store.set("k", full);
        expect(await store.get("k")).toEqual(full);
        if (store.stat !== undefined) {
          const { data: _data, ...meta } = full;
          expect(await store.stat("k")).toEqual(meta);
        }
        await taskStore.create(draft("t", now));
        const done = { ...draft("t", now), status: "complete" as const, completedAt: now };
        delete done.leaseMs;
        await taskStore.update(done, 1, full);
        expect(await store.get("t")).toEqual(full);
      }),
    );

    it(
      "replaces an entry whole: nothing of the old one (expiry, owner) outlives an overwrite",
      withStores(async ({ store }) => {
        await store.set("k", {
          data: "1",
          createdAt: 1,
          expiresAt: Date.now() + 60_000,
          owner: "o",
          version: 7,
          executeOnly: true,
        });
        await store.set("k", { data: "2", createdAt: 2 });
        const entry = await store.get("k");
        expect(entry).toMatchObject({ data: "2", createdAt: 2 });
        expect(entry?.expiresAt).toBeUndefined();
        expect(entry?.owner).toBeUndefined();
        expect(entry?.version).toBeUndefined();
        expect(entry?.executeOnly).toBeUndefined();
      }),
    );
  });

  describe(`${name}: TaskStore`, () => {
    it(
      "keeps how the result is to be stored: resultTtlMs and resultExecuteOnly survive create → get",
      withStores(async ({ taskStore }) => {
        const now = Date.now();
        await taskStore.create(draft("x", now, { resultTtlMs: 5_000, resultExecuteOnly: true }));
        // A store that dropped resultExecuteOnly would store an execute-only tool's result readable.
        expect(await taskStore.get("x")).toMatchObject({ resultTtlMs: 5_000, resultExecuteOnly: true });
      }),
    );

    it(
      "creates, refuses an active id, and replaces a finished one with retryCount + 1 and its value gone",
      withStores(async ({ store, taskStore }) => {
        const now = Date.now();
        const created = await taskStore.create(draft("t", now));
        expect(created).toMatchObject({ ok: true, task: { version: 1, retryCount: 0 } });
        expect(await taskStore.create(draft("t", now))).toMatchObject({ ok: false, reason: "active" });
        const done = { ...draft("t", now), status: "complete" as const, completedAt: now };
        delete done.leaseMs;
        expect(await taskStore.update(done, 1, { data: "42", createdAt: now })).toMatchObject({
          ok: true,
          task: { version: 2 },
        });
        expect((await store.get("t"))?.data).toBe("42");
        const again = await taskStore.create(draft("t", now, { runId: "run-2" }));
        expect(again).toMatchObject({ ok: true, task: { version: 1, retryCount: 1, runId: "run-2" } });
        expect(await store.get("t")).toBeUndefined();
      }),
    );

    it(
      "neither changes nor keeps the task it is given, and hands back tasks of its own",
      withStores(async ({ taskStore }) => {
        const now = Date.now();
        const given = draft("t", now);
        const created = await taskStore.create(given);
        expect(given).toEqual(draft("t", now));
        given.status = "failed";
        if (!created.ok) throw new Error("not created");
        created.task.runId = "changed by the caller";
        const next = { ...draft("t", now), progress: { current: 1 } };
        const updated = await taskStore.update(next, 1);
        expect(next).toEqual({ ...draft("t", now), progress: { current: 1 } });
        (next.progress as { current: number }).current = 99;
        if (!updated.ok) throw new Error("not updated");
        (updated.task.progress as { current: number }).current = 98;
        const read = await taskStore.get("t");
        expect(read).toMatchObject({ status: "processing", runId: "run-t", version: 2, progress: { current: 1 } });
        (read?.progress as { current: number }).current = 97;
        expect((await taskStore.get("t"))?.progress).toEqual({ current: 1 });
      }),
    );

    it(
      "compare-and-set: a write at a stale version changes nothing",
      withStores(async ({ taskStore }) => {
        const now = Date.now();
        await taskStore.create(draft("t", now));
        const first = await taskStore.update({ ...draft("t", now), progress: { current: 1 } }, 1);
        expect(first.ok).toBe(true);
        const stale = await taskStore.update({ ...draft("t", now), progress: { current: 9 } }, 1);
        expect(stale).toMatchObject({ ok: false, current: { version: 2, progress: { current: 1 } } });
        expect(await taskStore.update(draft("missing", now), 1)).toEqual({ ok: false, current: undefined });
      }),
    );

    it(
      "counts active tasks atomically against maxActiveTasks",
      withStores(async ({ taskStore }) => {
        const now = Date.now();
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, (_, i) => taskStore.create(draft(`c${i}`, now), { maxActiveTasks: 3 })),
        );
        expect(outcomes.filter((o) => o.ok)).toHaveLength(3);
        expect(outcomes.find((o) => !o.ok)).toMatchObject({ reason: "capacity" });
      }),
    );

    it(
      "lists with status and owner filters, page by page, each task once",
      withStores(async ({ taskStore }) => {
        const now = Date.now();
        for (let i = 0; i < 25; i++) {
          await taskStore.create(draft(`l${String(i).padStart(2, "0")}`, now, { owner: i % 2 === 0 ? "even" : "odd" }));
        }
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await taskStore.list({ owner: "even", limit: 4, ...(cursor === undefined ? {} : { cursor }) });
          expect(page.tasks.length).toBeLessThanOrEqual(4);
          seen.push(...page.tasks.map((t) => t.refId));
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        expect(seen.sort()).toEqual(Array.from({ length: 13 }, (_, i) => `l${String(i * 2).padStart(2, "0")}`));
        expect((await taskStore.list({ status: ["complete"], limit: 10 })).tasks).toEqual([]);
      }),
    );

    it(
      "judges leases on its own clock and says which ran out; lost tasks leave the active count",
      withStores(async ({ taskStore }) => {
        const now = Date.now();
        // Written times far from the store's: a lease is its length, started by the store, never a writer's time.
        await taskStore.create(draft("live", now - 3_600_000));
        await taskStore.create(draft("lost", now + 3_600_000));
        expect(await taskStore.listExpiredLeases(10)).toEqual([]);
        await expireLease(taskStore, "lost", now);
        const expired = await taskStore.listExpiredLeases(10);
        expect(expired.map((t) => [t.refId, t.leaseExpired])).toEqual([["lost", true]]);
        expect((await taskStore.get("live"))?.leaseExpired).toBeUndefined();
        expect((await taskStore.list({ limit: 10 })).tasks.map((t) => [t.refId, t.leaseExpired])).toEqual(
          expect.arrayContaining([
            ["live", undefined],
            ["lost", true],
          ]),
        );
        // Only "live" counts as active: one more fits under a maximum of two.
        expect(await taskStore.create(draft("third", now), { maxActiveTasks: 2 })).toMatchObject({ ok: true });
        expect(await taskStore.create(draft("fourth", now), { maxActiveTasks: 2 })).toMatchObject({
          ok: false,
          reason: "capacity",
          activeTasks: 2,
        });
        // A write that carries a lease starts it anew; one that finishes the task drops it.
        expect((await taskStore.update(draft("lost", now), 2)).ok).toBe(true);
        expect((await taskStore.get("lost"))?.leaseExpired).toBeUndefined();
        expect(await taskStore.listExpiredLeases(10)).toEqual([]);
      }),
    );

    it(
      "removes finished tasks by their age on its own clock, oldest first",
      withStores(async ({ taskStore }) => {
        const now = Date.now();
        const finish = async (id: string) => {
          // Finish times written far in the past: only the store's clock decides the age.
          await taskStore.create(draft(id, now));
          const done = { ...draft(id, now), status: "failed" as const, completedAt: 1 };
          delete done.leaseMs;
          await taskStore.update(done, 1);
        };
        await finish("f1");
        await finish("f2");
        await pass(60);
        const beforeF3 = Date.now();
        await finish("f3");
        expect(await taskStore.removeFinished(3_600_000, 10)).toEqual([]);
        // Older than f3 can be by now, younger than f1 and f2 are.
        const age = () => Date.now() - beforeF3 + 20;
        expect(await taskStore.removeFinished(age(), 1)).toEqual(["f1"]);
        expect(await taskStore.removeFinished(age(), 10)).toEqual(["f2"]);
        expect(await taskStore.get("f2")).toBeUndefined();
        expect(await taskStore.get("f3")).toBeDefined();
        expect(await taskStore.removeFinished(0, 10)).toEqual(["f3"]);
      }),
    );

    it(
      "tells subscribers of every write but lease renewals",
      withStores(async ({ taskStore }) => {
        if (taskStore.subscribe === undefined) return;
        const changes: TaskChange[] = [];
        const unsubscribe = taskStore.subscribe((c) => changes.push(c));
        try {
          const now = Date.now();
          await taskStore.create(draft("s", now), {}, "origin-1");
          await taskStore.update({ ...draft("s", now), leaseMs: 99_000 }, 1, undefined, "origin-1", true);
          await taskStore.update({ ...draft("s", now), progress: { current: 1 } }, 2, undefined, "origin-2");
          await until(() => changes.length >= 2);
          await new Promise((r) => setTimeout(r, 20));
          expect(changes.map((c) => [c.task.version, c.origin])).toEqual([
            [1, "origin-1"],
            [3, "origin-2"],
          ]);
        } finally {
          unsubscribe();
        }
      }),
    );
  });

  describe(`${name}: two RefCache instances sharing the stores`, () => {
    it(
      "each sees, progresses and finishes the other's task",
      withTwoCaches(async (a, b) => {
        const started = await a.registerTask("job", {}, { owner: "alice" });
        expect(await b.getTask("job")).toMatchObject({ status: "pending", runId: started.runId });
        await b.updateTaskProgress("job", { current: 1, total: 2 });
        expect((await a.getTask("job"))?.progress).toEqual({ current: 1, total: 2, percentage: 50 });
        await b.completeTask("job", { rows: [1] });
        expect(await a.getTask("job")).toMatchObject({ status: "complete", owner: "alice" });
        expect(await a.get("job")).toEqual({ rows: [1] });
      }),
    );

    it(
      "pages a value the other instance wrote to its end, and refuses a cursor once the value is overwritten",
      withTwoCaches(async (a, b) => {
        const rows = Array.from({ length: 400 }, (_, id) => ({ id, name: `row ${id}` }));
        await b.completeTask((await b.registerTask("big", {})).refId, { rows });
        const seen: unknown[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await a.page("big", { path: "/rows", maxChars: 1_000, ...(cursor ? { cursor } : {}) });
          expect(page?.chars).toBeLessThanOrEqual(1_000);
          seen.push(...((page?.value ?? []) as unknown[]));
          cursor = page?.nextCursor;
          pages++;
        } while (cursor !== undefined && pages < 1_000);
        expect(seen).toEqual(rows);
        const first = await a.page("big", { path: "/rows", maxChars: 1_000 });
        expect((await a.getEntry("big"))?.version).toBe(first?.version);
        await b.set("big", { rows: [] });
        await expect(a.page("big", { cursor: first?.nextCursor as string })).rejects.toMatchObject({
          code: "VALIDATION_ERROR",
        });
        expect(await a.page("big", { path: "/rows" })).toMatchObject({ value: [], total: 0 });
      }),
    );

    it(
      "refuses a second run of an active id on the other instance",
      withTwoCaches(async (a, b) => {
        await a.registerTask("job", {});
        await expect(b.registerTask("job", {})).rejects.toMatchObject({ code: "TASK_ALREADY_ACTIVE" });
        await expect(b.set("job", 1)).rejects.toMatchObject({ code: "KEY_OWNED_BY_TASK" });
      }),
    );

    it(
      "a cancel on one instance aborts the work running on the other",
      withTwoCaches(async (a, b) => {
        let signal: AbortSignal | undefined;
        await a.registerTask("job", ({ signal: s }) => {
          signal = s;
          return new Promise(() => {});
        });
        await b.cancelTask("job", "user asked");
        // At once with a store that can tell of changes; else on the runner's next lease renewal.
        await until(() => signal?.aborted === true, a.taskStore.subscribe === undefined ? 25_000 : 2_000);
        expect(await a.getTask("job")).toMatchObject({ status: "cancelled", error: "user asked" });
      }),
    );

    it(
      "racing finishers on two instances: exactly one wins, the value matches the status",
      withTwoCaches(async (a, b) => {
        for (let i = 0; i < 20; i++) {
          const id = `race${i}`;
          await a.registerTask(id, {});
          const outcomes = await Promise.allSettled([
            a.completeTask(id, "from a"),
            b.completeTask(id, "from b"),
            b.failTask(id, "boom"),
          ]);
          expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
          const task = await a.getTask(id);
          if (task?.status === "complete") expect(["from a", "from b"]).toContain(await b.get(id));
          else expect(await b.get(id)).toBeUndefined();
        }
      }),
    );

    it(
      "fences a stale run: its writes are refused once the id runs again",
      withTwoCaches(async (a, b) => {
        const first = await a.registerTask("job", {});
        await a.failTask("job", "first run failed");
        await b.registerTask("job", {});
        await expect(a.completeTask("job", "late", { runId: first.runId })).rejects.toMatchObject({
          code: "STALE_RUN",
        });
        await expect(a.updateTaskProgress("job", { current: 1 }, { runId: first.runId })).rejects.toMatchObject({
          code: "STALE_RUN",
        });
        expect(await b.getTask("job")).toMatchObject({ status: "pending", retryCount: 1 });
      }),
    );

    it(
      "fails a task whose worker stopped renewing its lease, seen from any instance",
      withTwoCaches(async (a, b, clock, s) => {
        // A run with no live instance behind it: its lease will not be renewed.
        await s.taskStore.create(draft("orphan", clock.now()));
        expect((await b.getTask("orphan"))?.status).toBe("processing");
        await expireLease(s.taskStore, "orphan", clock.now());
        expect(await b.getTask("orphan")).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE });
        expect((await a.getTask("orphan"))?.status).toBe("failed");
      }),
    );

    it(
      "registers again an id whose worker is lost: the lost run fails, a new run starts",
      withTwoCaches(async (_a, b, clock, s) => {
        await s.taskStore.create(draft("orphan", clock.now()));
        await expireLease(s.taskStore, "orphan", clock.now());
        const again = await b.registerTask("orphan", {});
        expect(again).toMatchObject({ status: "pending", retryCount: 1 });
        expect(await b.getTask("orphan")).toMatchObject({ status: "pending", runId: again.runId });
      }),
    );

    it(
      "never judges another instance's lease by its own clock: a reader 45 s ahead sees a healthy task",
      withStores(async (s) => {
        const options = { store: s.store, taskStore: s.taskStore, taskLeaseMs: 30_000 };
        const runner = new RefCache({ ...options, instanceId: "runner" });
        const ahead = new RefCache({ ...options, instanceId: "ahead", clock: { now: () => Date.now() + 45_000 } });
        try {
          let signal: AbortSignal | undefined;
          await runner.registerTask("healthy", ({ signal: given }) => {
            signal = given;
            return new Promise(() => {});
          });
          expect((await ahead.getTask("healthy"))?.status).toBe("processing");
          expect((await ahead.queryTasks({})).tasks.map((t) => [t.refId, t.status])).toEqual([
            ["healthy", "processing"],
          ]);
          expect(ahead.getTaskStatus("healthy")?.status).not.toBe("failed");
          expect(await ahead.cleanupTasks()).toBe(0);
          expect((await runner.getTask("healthy"))?.status).toBe("processing");
          expect(signal?.aborted).toBe(false);
        } finally {
          await Promise.all([runner.close(), ahead.close()]);
        }
      }),
    );

    it(
      "every view agrees a lost worker's task is not alive, and it no longer holds capacity",
      withTwoCaches(async (a, b, clock, s) => {
        await s.taskStore.create(draft("orphan", clock.now()));
        await expireLease(s.taskStore, "orphan", clock.now());
        const fresh = new RefCache({ store: s.store, taskStore: s.taskStore, maxActiveTasks: 1, instanceId: "c" });
        try {
          // The lost task holds no capacity, nor its key, even before anyone fails it.
          await fresh.registerTask("next", {});
          await b.set("orphan", { note: "its worker is gone" });
          await expect(fresh.registerTask("more", {})).rejects.toMatchObject({ code: "CAPACITY_EXCEEDED" });
          expect((await fresh.queryTasks({ status: "processing" })).tasks).toEqual([]);
          const page = await fresh.queryTasks({});
          expect(page.tasks.map((t) => [t.refId, t.status])).toEqual(
            expect.arrayContaining([
              ["orphan", "failed"],
              ["next", "pending"],
            ]),
          );
          expect(await a.getTask("orphan")).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE });
          expect(b.getTaskStatus("orphan")?.status).not.toBe("processing");
        } finally {
          await fresh.close();
        }
      }),
    );

    it(
      "hides tasks and values from another owner",
      withTwoCaches(async (a, b) => {
        await a.registerTask("job", {}, { owner: "alice" });
        await a.completeTask("job", "secret");
        expect(await b.getTask("job", { owner: "mallory" })).toBeUndefined();
        expect(await b.get("job", { owner: "mallory" })).toBeUndefined();
        await expect(b.cancelTask("job", undefined, { owner: "mallory" })).rejects.toMatchObject({
          code: "TASK_NOT_FOUND",
        });
        expect((await b.queryTasks({ owner: "mallory" })).tasks).toEqual([]);
        expect(await b.get("job", { owner: "alice" })).toBe("secret");
      }),
    );

    it(
      "keeps what server code stores without an owner from every owner, and lets no owner write over it",
      withTwoCaches(async (a, b) => {
        await a.registerTask("nightly-report", {});
        await a.completeTask("nightly-report", "report");
        await a.set("internal:db", "contents");
        for (const id of ["nightly-report", "internal:db"]) {
          expect(await b.getTask(id, { owner: "session:mallory" })).toBeUndefined();
          expect(await b.get(id, { owner: "session:mallory" })).toBeUndefined();
          expect(await b.delete(id, { owner: "session:mallory" })).toBe(false);
          await expect(b.set(id, "mine", { owner: "session:mallory" })).rejects.toMatchObject({ code: "FORBIDDEN" });
          await expect(b.registerTask(id, {}, { owner: "session:mallory" })).rejects.toMatchObject({
            code: "FORBIDDEN",
          });
        }
        expect((await b.queryTasks({ owner: "session:mallory" })).tasks).toEqual([]);
        expect(await b.get("nightly-report")).toBe("report");
        expect(await b.get("internal:db")).toBe("contents");
      }),
    );

    it(
      "cleans up finished tasks past retention from either instance",
      withTwoCaches(async (a, b, clock) => {
        await a.registerTask("old", {});
        await a.completeTask("old", 1);
        // The caches' clock jumps ahead: the store's own clock still says how old a finished task is.
        clock.time += 3_600_000;
        await pass(60);
        const beforeNew = Date.now();
        await a.registerTask("new", {});
        await a.completeTask("new", 2);
        expect(await b.cleanupTasks(600_000)).toBe(0);
        expect(await b.cleanupTasks(Date.now() - beforeNew + 20)).toBe(1);
        expect(await a.getTask("old")).toBeUndefined();
        expect(await a.getTask("new")).toBeDefined();
      }),
    );

    it(
      "refuses what is not JSON data the same way and keeps the old value",
      withTwoCaches(async (a) => {
        await a.set("k", { ok: true });
        for (const bad of [() => 1, new Date(0), new Map(), 10n, Number.NaN, { nested: [undefined] }]) {
          await expect(a.set("k", bad)).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
        }
        expect(await a.get("k")).toEqual({ ok: true });
      }),
    );
  });
}
