/**
 * A MemoryTaskStore paired with a plain MemoryStore keeps a complete task's result beside the task
 * (kept-results.ts). To every caller of either store that must be invisible: a fast-check model runs the
 * same operations on a linked pair and on a pair that cannot link (its value store overrides `prune`, so
 * its results stay entries of the value store's Map) and compares every answer.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { finishedTask } from "../src/finished-task.js";
import { createMemoryStores, MemoryStore, MemoryTaskStore } from "../src/index.js";
import type { StoreEntry } from "../src/store.js";
import type { StoredTask } from "../src/task-store.js";

/** Behaves as a MemoryStore, but overrides a method, so no task store keeps results beside its tasks. */
class UnlinkedStore extends MemoryStore {
  override async prune(now: number): Promise<number> {
    return super.prune(now);
  }
}

interface Pair {
  store: MemoryStore;
  taskStore: MemoryTaskStore;
}

/** Creates the task "job" and completes it with `entry`, at the entry's write time and expiry. */
async function completeJob(taskStore: MemoryTaskStore, entry: StoreEntry): Promise<void> {
  await taskStore.create({
    refId: "job",
    status: "processing",
    startedAt: 1,
    updatedAt: 1,
    retryCount: 0,
    runId: "r",
    version: 0,
  });
  const current = (await taskStore.get("job")) as StoredTask;
  const end = { status: "complete" as const, at: entry.createdAt, resultExpiresAt: entry.expiresAt };
  await taskStore.update(finishedTask(current, end), current.version, entry);
}

const IDS = ["a", "b", "c"] as const;
const id = fc.constantFrom(...IDS);
const time = fc.integer({ min: 1_000, max: 2_000 });

type Op =
  | { kind: "register"; id: string; owner: string | undefined; progress: boolean }
  | { kind: "complete"; id: string; at: number; ttl: number | null; owner: "task" | "other" | "none"; exec: boolean }
  | { kind: "fail"; id: string; at: number }
  | { kind: "touch"; id: string }
  | { kind: "refused"; id: string; complete: boolean }
  | { kind: "set"; id: string; at: number }
  | { kind: "delete"; id: string }
  | { kind: "prune"; now: number }
  | { kind: "removeFinished"; limit: number }
  | { kind: "close" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("register" as const),
    id,
    owner: fc.option(fc.constant("alice"), { nil: undefined }),
    progress: fc.boolean(),
  }),
  {
    arbitrary: fc.record({
      kind: fc.constant("complete" as const),
      id,
      at: time,
      ttl: fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: null, freq: 5 }),
      owner: fc.constantFrom("task" as const, "task" as const, "other" as const, "none" as const),
      exec: fc.boolean().map((b) => b && Math.random() < 0.2),
    }),
    weight: 3,
  },
  fc.record({ kind: fc.constant("fail" as const), id, at: time }),
  fc.record({ kind: fc.constant("touch" as const), id }),
  fc.record({ kind: fc.constant("refused" as const), id, complete: fc.boolean() }),
  fc.record({ kind: fc.constant("set" as const), id, at: time }),
  fc.record({ kind: fc.constant("delete" as const), id }),
  fc.record({ kind: fc.constant("prune" as const), now: time }),
  fc.record({ kind: fc.constant("removeFinished" as const), limit: fc.integer({ min: 1, max: 3 }) }),
  { arbitrary: fc.constant({ kind: "close" as const }), weight: 1 },
);

/** Runs `o` on `pair`; returns what it answered. */
async function apply(pair: Pair, o: Op, serial: number): Promise<unknown> {
  const { store, taskStore } = pair;
  switch (o.kind) {
    case "register": {
      const task: StoredTask = {
        refId: o.id,
        status: "processing",
        startedAt: 500,
        updatedAt: 500,
        retryCount: 0,
        runId: `run${serial}`,
        version: 0,
      };
      if (o.owner !== undefined) task.owner = o.owner;
      if (o.progress) task.progress = { current: 1, total: 2, message: "half", percentage: 50 };
      return taskStore.create(task);
    }
    case "complete":
    case "fail": {
      const current = await taskStore.get(o.id);
      if (current === undefined) return "none";
      if (o.kind === "fail") {
        return taskStore.update(finishedTask(current, { status: "failed", at: o.at, error: "x" }), current.version);
      }
      const entry: StoreEntry = { data: `{"n":${serial}}`, createdAt: o.at, version: serial };
      if (o.ttl !== null) entry.expiresAt = o.at + o.ttl;
      const owner = o.owner === "task" ? current.owner : o.owner === "other" ? "bob" : undefined;
      if (owner !== undefined) entry.owner = owner;
      if (o.exec) entry.executeOnly = true;
      const next = finishedTask(current, { status: "complete", at: o.at, resultExpiresAt: entry.expiresAt });
      return taskStore.update(next, current.version, entry);
    }
    case "touch": {
      // A write without a result over whatever is stored (a finished task's result must stay).
      const current = await taskStore.get(o.id);
      if (current === undefined) return "none";
      const next = { ...current, updatedAt: current.updatedAt + 1 };
      delete next.leaseExpired;
      return taskStore.update(next, current.version);
    }
    case "refused": {
      // A write whose result the value store refuses (data not JSON text) rejects and changes nothing.
      const current = await taskStore.get(o.id);
      if (current === undefined) return "none";
      const next = o.complete
        ? finishedTask(current, { status: "complete", at: 1_500, resultExpiresAt: 1_600 })
        : { ...current, updatedAt: current.updatedAt + 1 };
      delete next.leaseExpired;
      let written: Promise<unknown>;
      try {
        written = taskStore.update(next, current.version, { data: serial as never, createdAt: 1_500 });
      } catch (error) {
        return `thrown at once: ${String(error)}`;
      }
      return written.then(
        () => "written",
        (error: unknown) => `rejected: ${String(error)}`,
      );
    }
    case "set":
      return store.set(o.id, { data: `"set${serial}"`, createdAt: o.at, version: serial });
    case "delete":
      return store.delete(o.id);
    case "prune":
      return store.prune(o.now);
    case "removeFinished":
      return taskStore.removeFinished(0, o.limit);
    case "close":
      return store.close();
  }
}

/** Everything a caller can see of `pair`. */
async function observe(pair: Pair): Promise<unknown> {
  const seen: Record<string, unknown> = { size: pair.store.size, tasks: pair.taskStore.size };
  for (const key of IDS) {
    seen[key] = {
      entry: await pair.store.get(key),
      stat: await pair.store.stat(key),
      task: await pair.taskStore.get(key),
    };
  }
  return seen;
}

describe("results kept beside their tasks", () => {
  it("answer every value store and task store call as entries of the value store's own Map would", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const linked = createMemoryStores();
        const store = new UnlinkedStore();
        const unlinked = { store, taskStore: new MemoryTaskStore({ store }) };
        for (const [serial, o] of ops.entries()) {
          const answer = await apply(linked, o, serial);
          expect(answer).toStrictEqual(await apply(unlinked, o, serial));
          if (o.kind === "refused" && answer !== "none") expect(answer).toMatch(/^rejected: TypeError/);
          expect(await observe(linked)).toStrictEqual(await observe(unlinked));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("are kept beside the task for the common shape, and the value store counts them", async () => {
    const { store, taskStore } = createMemoryStores();
    const entry: StoreEntry = { data: "42", createdAt: 5, expiresAt: 105, version: 7 };
    await completeJob(taskStore, entry);
    expect(store.size).toBe(1);
    expect(await store.get("job")).toStrictEqual(entry);
    // Kept beside the task, under symbol keys a copy does not carry.
    const record = taskStore[Symbol.for("mcp-refcache.inProcessTaskStore") as never] as {
      readShared(id: string): object;
    };
    expect(Object.getOwnPropertySymbols(record.readShared("job"))).toHaveLength(2);
    expect(Object.getOwnPropertySymbols((await taskStore.get("job")) ?? {})).toHaveLength(0); // copies carry none
    expect(await store.delete("job")).toBe(true);
    expect(store.size).toBe(0);
    expect(await store.get("job")).toBeUndefined();
    expect((await taskStore.get("job"))?.status).toBe("complete");
  });

  it("stay when a write's result is refused by the value store: it rejects and changes nothing", async () => {
    const refusedOver = async (pair: Pair) => {
      const { store, taskStore } = pair;
      await completeJob(taskStore, { data: '"kept"', createdAt: 10, expiresAt: 100, version: 7 });
      const current = (await taskStore.get("job")) as StoredTask;
      const refused = { data: 5 as never, createdAt: 11 };
      await expect(taskStore.update({ ...current, updatedAt: 11 }, current.version, refused)).rejects.toThrow(
        TypeError,
      );
      return { entry: await store.get("job"), task: await taskStore.get("job"), size: store.size };
    };
    const linked = await refusedOver(createMemoryStores());
    const store = new UnlinkedStore();
    expect(linked).toStrictEqual(await refusedOver({ store, taskStore: new MemoryTaskStore({ store }) }));
    expect(linked.entry).toStrictEqual({ data: '"kept"', createdAt: 10, expiresAt: 100, version: 7 });
  });
});
