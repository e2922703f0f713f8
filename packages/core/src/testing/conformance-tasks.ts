/** The store conformance suite, part two: the `TaskStore` contract, store by itself. */
import { describe, expect, it } from "vitest";
import type { TaskChange } from "../task-store.js";
import {
  AGE_SPARE_MS,
  draft,
  everyFieldTask,
  expectEveryField,
  expireLease,
  pass,
  until,
  type WithStores,
} from "./conformance-support.js";

export function describeTaskStoreConformance(name: string, withStores: WithStores): void {
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
      "keeps every field of a task (progress included): create → get, update → get",
      withStores(async ({ taskStore }) => {
        const now = Date.now();
        const created = everyFieldTask("f", now);
        expect(await taskStore.create(created)).toMatchObject({ ok: true });
        expectEveryField(await taskStore.get("f"), created, 1);
        const updated = everyFieldTask("f", now, 1);
        expect(await taskStore.update(updated, 1)).toMatchObject({ ok: true });
        expectEveryField(await taskStore.get("f"), updated, 2);
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
        await pass(AGE_SPARE_MS + 200);
        const beforeF3 = Date.now();
        await finish("f3");
        expect(await taskStore.removeFinished(3_600_000, 10)).toEqual([]);
        // Older than f3 can be by now, younger than f1 and f2 are, with AGE_SPARE_MS to spare for a loaded
        // machine on which the store reads its clock a while after this process read its own.
        const age = () => Date.now() - beforeF3 + AGE_SPARE_MS;
        expect(await taskStore.removeFinished(age(), 1)).toEqual(["f1"]);
        expect(await taskStore.removeFinished(age(), 10)).toEqual(["f2"]);
        expect(await taskStore.get("f2")).toBeUndefined();
        expect(await taskStore.get("f3")).toBeDefined();
        expect(await taskStore.removeFinished(0, 10)).toEqual(["f3"]);
      }),
    );

    it(
      "tells each removal subscriber the removed ids in a list of its own",
      withStores(async ({ taskStore }) => {
        if (taskStore.subscribe === undefined) return;
        const told: string[][] = [];
        // The first subscriber empties the list it is given; nobody else may see that.
        const unsubscribes = [
          taskStore.subscribe(() => {}, { onRemoved: (ids) => (ids as string[]).splice(0) }),
          taskStore.subscribe(() => {}, { onRemoved: (ids) => told.push([...ids]) }),
        ];
        try {
          const now = Date.now();
          await taskStore.create(draft("gone", now));
          const done = { ...draft("gone", now), status: "failed" as const, completedAt: 1 };
          delete done.leaseMs;
          await taskStore.update(done, 1);
          expect(await taskStore.removeFinished(0, 10)).toEqual(["gone"]);
          await until(() => told.length >= 1);
          expect(told).toEqual([["gone"]]);
        } finally {
          for (const unsubscribe of unsubscribes) unsubscribe();
        }
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
}
