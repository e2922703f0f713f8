import { expect, it } from "vitest";
import type { StoredTask } from "../src/contract.js";
import { describeRedis, keysUnder, rawClient, sleep, task, useStores } from "./redis-fixture.js";

/** What a removal-by-age test leaves to spare (ms), as core's conformance suite does (its AGE_SPARE_MS). */
const AGE_SPARE_MS = 1_000;

const stores = useStores();

function finished(t: StoredTask, status: "complete" | "failed" | "cancelled", completedAt: number): StoredTask {
  return { ...t, status, completedAt, updatedAt: completedAt };
}

describeRedis("create", () => {
  it("stores the task at version 1 and reads it back", async () => {
    const { taskStore } = stores();
    const created = await taskStore.create(task("a", { owner: "alice", version: 7, retryCount: 3 }));
    expect(created).toMatchObject({ ok: true, task: { version: 1, retryCount: 0 } });
    const read = await taskStore.get("a");
    expect(read).toMatchObject({ refId: "a", status: "pending", owner: "alice", version: 1, retryCount: 0 });
    expect(await taskStore.get("missing")).toBeUndefined();
  });

  it("refuses an id held by a pending or processing task and returns it", async () => {
    const { taskStore } = stores();
    await taskStore.create(task("a"));
    const again = await taskStore.create(task("a"));
    expect(again).toMatchObject({ ok: false, reason: "active", current: { refId: "a", version: 1 } });
    const current = await taskStore.get("a");
    await taskStore.update({ ...(current as StoredTask), status: "processing" }, 1);
    expect(await taskStore.create(task("a"))).toMatchObject({ ok: false, reason: "active" });
  });

  it("replaces a finished task and deletes the id's old value in the same step", async () => {
    const { store, taskStore } = stores();
    const first = task("a");
    await taskStore.create(first);
    await taskStore.update(finished(first, "complete", 1_000), 1, { data: '"old"', createdAt: 1 });
    expect(await store.get("a")).toMatchObject({ data: '"old"' });

    const second = await taskStore.create(task("a"));
    expect(second).toMatchObject({ ok: true, task: { retryCount: 1 } });
    expect(await store.get("a")).toBeUndefined();
    expect(await taskStore.get("a")).toMatchObject({ status: "pending", retryCount: 1, version: 1 });
    // The old run left the finish index: cleanup must not remove the new run.
    expect(await taskStore.removeFinished(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });

  it("counts active tasks atomically against maxActiveTasks", async () => {
    const { taskStore } = stores();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => taskStore.create(task(`t${i}`), { maxActiveTasks: 5 })),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(5);
    expect(outcomes.filter((o) => !o.ok)).toEqual(
      Array.from({ length: 15 }, () => ({ ok: false, reason: "capacity", activeTasks: 5 })),
    );
    // Finishing one frees one slot.
    const winner = outcomes.find((o) => o.ok) as { ok: true; task: StoredTask };
    await taskStore.update(finished(winner.task, "cancelled", 5), 1);
    expect((await taskStore.create(task("late"), { maxActiveTasks: 5 })).ok).toBe(true);
    expect(await taskStore.create(task("later"), { maxActiveTasks: 5 })).toMatchObject({ reason: "capacity" });
  });

  it("rejects malformed tasks with VALIDATION_ERROR before touching Redis", async () => {
    const { taskStore, prefix } = stores();
    await expect(taskStore.create({ ...task("a"), status: "weird" as never })).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
    });
    await expect(taskStore.create(task("bad id!"))).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await expect(taskStore.create(task("a"), { maxActiveTasks: -1 })).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
    });
    await expect(taskStore.create(task("a", { progress: { current: 10n as never } }))).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
    });
    await expect(taskStore.update(task("a", { error: 1n as never }), 1)).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
    });
    expect(() => taskStore.subscribe("nope" as never)).toThrow(expect.objectContaining({ code: "VALIDATION_ERROR" }));
    const raw = rawClient();
    expect(await keysUnder(raw, prefix)).toEqual([]);
    raw.disconnect();
  });
});

describeRedis("update", () => {
  it("is a compare-and-set on the version", async () => {
    const { taskStore } = stores();
    const t = task("a");
    await taskStore.create(t);
    const first = await taskStore.update({ ...t, status: "processing", progress: { current: 1 } }, 1);
    expect(first).toMatchObject({ ok: true, task: { version: 2 } });
    // A writer that still holds version 1 loses and is shown what is stored now.
    const stale = await taskStore.update({ ...t, status: "cancelled", completedAt: 9 }, 1);
    expect(stale).toMatchObject({ ok: false, current: { status: "processing", version: 2, progress: { current: 1 } } });
    expect(await taskStore.get("a")).toMatchObject({ status: "processing", version: 2 });
  });

  it("lets exactly one of many racing writers win each version", async () => {
    const { taskStore } = stores();
    const t = task("a");
    await taskStore.create(t);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => taskStore.update({ ...t, status: "processing", error: `w${i}` }, 1)),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect((await taskStore.get("a"))?.version).toBe(2);
  });

  it("hands back its own copy and leaves the caller's task as it was", async () => {
    const { taskStore } = stores();
    const t = task("a");
    const created = await taskStore.create(t);
    expect(created).toMatchObject({ ok: true, task: { version: 1, retryCount: 0 } });
    const progress = { ...t, status: "processing" as const, progress: { current: 1 } };
    const updated = await taskStore.update(progress, 1);
    expect(updated).toMatchObject({ ok: true, task: { version: 2, progress: { current: 1 } } });
    expect((updated as { task: StoredTask }).task).not.toBe(progress);
    expect(t).toMatchObject({ version: 0, retryCount: 0, status: "pending" });
    expect(progress.version).toBe(0);
    // A task field that is not its own (inherited) is not part of the task: refused, not stored half.
    const inherited = Object.assign(Object.create({ refId: "b" }), { ...task("ignored") }) as StoredTask;
    delete (inherited as Partial<StoredTask>).refId;
    await expect(taskStore.update(inherited, 1)).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
  });

  it("reports a task that is gone with no current", async () => {
    const { taskStore } = stores();
    expect(await taskStore.update(task("ghost"), 1)).toEqual({ ok: false, current: undefined });
  });

  it("writes the result value with the complete status, with native expiry and owner", async () => {
    const { store, taskStore, prefix } = stores();
    const t = task("a", { owner: "bob" });
    await taskStore.create(t);
    const done = await taskStore.update(finished(t, "complete", 500), 1, {
      data: '{"rows":[1,2]}',
      createdAt: 500,
      expiresAt: 60_500,
      owner: "bob",
    });
    expect(done.ok).toBe(true);
    expect(await store.get("a")).toEqual({ data: '{"rows":[1,2]}', createdAt: 500, expiresAt: 60_500, owner: "bob" });
    const raw = rawClient();
    const ttl = await raw.pttl(`${prefix}v:a`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    raw.disconnect();
  });

  it("writes no value when the version check fails", async () => {
    const { store, taskStore } = stores();
    const t = task("a");
    await taskStore.create(t);
    await taskStore.update({ ...t, status: "processing" }, 1);
    const late = await taskStore.update(finished(t, "complete", 9), 1, { data: "1", createdAt: 9 });
    expect(late.ok).toBe(false);
    expect(await store.get("a")).toBeUndefined();
  });
});

describeRedis("leases and cleanup", () => {
  /** Waits until `check` holds, polling. */
  const until = async (check: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 400 && !(await check()); i++) await sleep(5);
  };

  it("lists unfinished tasks whose lease ended on the server's clock, soonest end first", async () => {
    const { taskStore } = stores();
    // Written times say nothing: only the lease's length, started by the script on Redis's clock.
    await taskStore.create(task("early", { status: "processing", leaseMs: 1, updatedAt: 9e12 }));
    await taskStore.create(task("late", { status: "processing", leaseMs: 60, updatedAt: 1 }));
    await taskStore.create(task("future", { status: "processing", leaseMs: 600_000 }));
    await taskStore.create(task("nolease"));
    const ended = task("ended", { status: "processing", leaseMs: 1 });
    await taskStore.create(ended);
    await taskStore.update(finished(ended, "failed", 60), 1);

    await until(async () => (await taskStore.listExpiredLeases(10)).length >= 2);
    expect((await taskStore.listExpiredLeases(10)).map((t) => [t.refId, t.leaseExpired])).toEqual([
      ["early", true],
      ["late", true],
    ]);
    expect((await taskStore.listExpiredLeases(1)).map((t) => t.refId)).toEqual(["early"]);
    expect(await taskStore.get("early")).toMatchObject({ leaseExpired: true });
    expect((await taskStore.get("future"))?.leaseExpired).toBeUndefined();
    // Renewing starts the lease anew; what a read said is never written back.
    const early = (await taskStore.get("early")) as StoredTask;
    await taskStore.update({ ...early, leaseMs: 600_000 }, early.version);
    expect((await taskStore.listExpiredLeases(10)).map((t) => t.refId)).toEqual(["late"]);
    expect(JSON.stringify(await taskStore.get("early"))).not.toContain("leaseExpired");
  });

  it("removes finished tasks oldest first by the server's clock, up to the limit, and leaves values to their TTL", async () => {
    const { store, taskStore } = stores();
    const finish = async (id: string) => {
      const t = task(id);
      await taskStore.create(t);
      // A finish time written far ahead: only the server's clock tells a task's age.
      await taskStore.update(finished(t, "complete", 9e12), 1, { data: `"${id}"`, createdAt: 1 });
    };
    for (const id of ["a", "b", "c"]) await finish(id);
    await sleep(AGE_SPARE_MS + 200);
    const beforeD = Date.now();
    await finish("d");
    await taskStore.create(task("running"));

    // Older than d can be, younger than a, b and c are, with AGE_SPARE_MS to spare for a loaded machine
    // on which the server reads its clock a while after this process read its own.
    const age = () => Date.now() - beforeD + AGE_SPARE_MS;
    expect(await taskStore.removeFinished(age(), 2)).toEqual(["a", "b"]);
    expect(await taskStore.removeFinished(age(), 10)).toEqual(["c"]);
    expect(await taskStore.removeFinished(age(), 10)).toEqual([]);
    expect(await taskStore.get("a")).toBeUndefined();
    expect(await taskStore.get("d")).toMatchObject({ status: "complete" });
    expect(await store.get("a")).toMatchObject({ data: '"a"' });
    // Removed tasks leave the listing too.
    const page = await taskStore.list({ limit: 100 });
    expect(page.tasks.map((t) => t.refId).sort()).toEqual(["d", "running"]);
  });
});

describeRedis("list", () => {
  it("pages through every task once, in creation order, with an opaque cursor", async () => {
    const { taskStore } = stores();
    const ids = Array.from({ length: 25 }, (_, i) => `t${String(i).padStart(2, "0")}`);
    for (const id of ids) await taskStore.create(task(id));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await taskStore.list({ limit: 10, ...(cursor === undefined ? {} : { cursor }) });
      expect(page.tasks.length).toBeLessThanOrEqual(10);
      seen.push(...page.tasks.map((t) => t.refId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it("filters by status and owner, across status changes", async () => {
    const { taskStore } = stores();
    const a = task("a", { owner: "alice" });
    await taskStore.create(a);
    await taskStore.create(task("b", { owner: "bob" }));
    await taskStore.create(task("c"));
    await taskStore.create(task("d", { owner: "alice" }));
    await taskStore.update(finished(a, "complete", 10), 1);

    const ids = async (query: Parameters<typeof taskStore.list>[0]) =>
      (await taskStore.list(query)).tasks.map((t) => t.refId);
    expect(await ids({ limit: 10, owner: "alice" })).toEqual(["a", "d"]);
    expect(await ids({ limit: 10, owner: "alice", status: ["pending"] })).toEqual(["d"]);
    expect(await ids({ limit: 10, status: ["complete"] })).toEqual(["a"]);
    expect(await ids({ limit: 10, status: ["pending", "processing"] })).toEqual(["b", "c", "d"]);
    expect(await ids({ limit: 10, owner: "carol" })).toEqual([]);
    expect(await ids({ limit: 1, owner: "alice" })).toEqual(["a"]);
    const firstPage = await taskStore.list({ limit: 1, owner: "alice" });
    expect(await ids({ limit: 1, owner: "alice", cursor: firstPage.nextCursor as string })).toEqual(["d"]);
  });

  it("rejects bad limits and cursors it did not hand out", async () => {
    const { taskStore } = stores();
    for (const query of [
      { limit: 0 },
      { limit: 1001 },
      { limit: 10, cursor: "abc" },
      { limit: 10, cursor: "0" },
      { limit: 10, cursor: "r1.5" },
      { limit: 10, cursor: "r2." },
    ]) {
      await expect(taskStore.list(query)).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    }
  });

  it("hands out cursors that say nothing of other owners: no sequence, no probing for their ids", async () => {
    const { taskStore } = stores();
    await taskStore.create(task("mine-1", { owner: "alice" }));
    for (let i = 0; i < 5; i++) await taskStore.create(task(`other-${i}`, { owner: "bob" }));
    await taskStore.create(task("server-only"));
    await taskStore.create(task("mine-2", { owner: "alice" }));
    await taskStore.create(task("mine-3", { owner: "alice" }));
    const first = await taskStore.list({ limit: 1, owner: "alice" });
    expect(first.nextCursor).toBe("r2.mine-1");
    const second = await taskStore.list({ limit: 1, owner: "alice", cursor: first.nextCursor as string });
    expect(second.tasks.map((t) => t.refId)).toEqual(["mine-2"]);
    const refusal = async (cursor: string) =>
      (await taskStore.list({ limit: 1, owner: "alice", cursor }).catch((e: Error) => e)) as Error;
    const unknown = await refusal("r2.never-used");
    for (const id of ["other-0", "server-only"]) {
      expect(await refusal(`r2.${id}`)).toMatchObject({ code: "VALIDATION_ERROR", message: unknown.message });
    }
    // Server-side listing (no owner) may start after any task.
    expect((await taskStore.list({ limit: 1, cursor: "r2.server-only" })).tasks.map((t) => t.refId)).toEqual([
      "mine-2",
    ]);
  });
});

describeRedis("prefix isolation", () => {
  it("writes only under its prefix and never sees another prefix's tasks", async () => {
    const raw = rawClient();
    const outside = `refcache-test-outside:${Math.random()}`;
    await raw.set(outside, "keep");
    const one = stores();
    const two = stores();
    const t = task("shared-id");
    await one.taskStore.create(t);
    await one.taskStore.update(finished(t, "complete", 5), 1, { data: "1", createdAt: 5 });
    await one.store.set("k", { data: "2", createdAt: 1 });

    expect(await two.taskStore.get("shared-id")).toBeUndefined();
    expect(await two.store.get("k")).toBeUndefined();
    expect((await two.taskStore.list({ limit: 10 })).tasks).toEqual([]);
    expect(await two.taskStore.removeFinished(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    expect((await two.taskStore.create(t)).ok).toBe(true);

    const keysOfOne = await keysUnder(raw, one.prefix);
    expect(keysOfOne.length).toBeGreaterThan(0);
    expect(await raw.get(outside)).toBe("keep");
    await raw.del(outside);
    raw.disconnect();
  });
});

describeRedis("subscribe", () => {
  it("delivers every change, with its origin, to subscribers of another store set", async () => {
    const writer = stores();
    const reader = stores({ prefix: writer.prefix });
    const other = stores();
    const seen: { id: string; status: string; version: number; origin: string | undefined }[] = [];
    const strangers: unknown[] = [];
    reader.taskStore.subscribe((c) =>
      seen.push({ id: c.task.refId, status: c.task.status, version: c.task.version, origin: c.origin }),
    );
    other.taskStore.subscribe((c) => strangers.push(c));
    await reader.taskStore.changesReady();
    await other.taskStore.changesReady();

    const t = task("a");
    await writer.taskStore.create(t, {}, "instance-A");
    await writer.taskStore.update({ ...t, status: "cancelled", completedAt: 3 }, 1, undefined, "instance-B");
    await writer.taskStore.update({ ...t, status: "failed" }, 1); // stale: publishes nothing
    await expect.poll(() => seen.length).toBe(2);
    expect(seen).toEqual([
      { id: "a", status: "pending", version: 1, origin: "instance-A" },
      { id: "a", status: "cancelled", version: 2, origin: "instance-B" },
    ]);
    expect(strangers).toEqual([]);
  });

  it("keeps delivering when one listener throws, and stops after unsubscribe", async () => {
    const { taskStore } = stores();
    const seen: number[] = [];
    taskStore.subscribe(() => {
      throw new Error("listener bug");
    });
    const off = taskStore.subscribe((c) => seen.push(c.task.version));
    await taskStore.changesReady();
    const t = task("a");
    await taskStore.create(t);
    await expect.poll(() => seen).toEqual([1]);
    off();
    await taskStore.update({ ...t, status: "processing" }, 1);
    await taskStore.create(task("b"));
    // Messages arrive in the order they were published: once "c" is heard, those before it were too.
    // (The earlier ones may still reach this late listener: they can trail the writes' own replies.)
    const marker: string[] = [];
    taskStore.subscribe((c) => marker.push(c.task.refId));
    await taskStore.create(task("c"));
    await expect.poll(() => marker.includes("c")).toBe(true);
    expect(seen).toEqual([1]);
  });
});
