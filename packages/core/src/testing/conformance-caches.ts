/** The store conformance suite, part three: two RefCache instances sharing one store pair. */
import { describe, expect, it } from "vitest";
import { WORKER_LOST_MESSAGE } from "../liveness.js";
import { RefCache } from "../ref-cache.js";
import {
  AGE_SPARE_MS,
  draft,
  expireLease,
  pass,
  until,
  type WithStores,
  type WithTwoCaches,
} from "./conformance-support.js";

export function describeSharedCachesConformance(
  name: string,
  withStores: WithStores,
  withTwoCaches: WithTwoCaches,
): void {
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
        await pass(AGE_SPARE_MS + 200);
        const beforeNew = Date.now();
        await a.registerTask("new", {});
        await a.completeTask("new", 2);
        expect(await b.cleanupTasks(600_000)).toBe(0);
        // Older than "new" can be by now, younger than "old" is (see AGE_SPARE_MS).
        expect(await b.cleanupTasks(Date.now() - beforeNew + AGE_SPARE_MS)).toBe(1);
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
