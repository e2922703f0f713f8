/**
 * Results kept beside their tasks, seen through RefCache: a fast-check script of registrations, completions,
 * failures, sets, deletes, clean-ups, prunes, store closes, pages (cursors kept across re-registration) and
 * clock steps (backwards too), run by two RefCaches sharing one pair of stores, answers the same over a
 * linked MemoryStore/MemoryTaskStore pair, an unlinked pair and a pair whose value writes are asynchronous.
 * Ids hold "-" and "_" where base64url ids put them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStores, MemoryStore, MemoryTaskStore, RefCache } from "../src/index.js";

class UnlinkedStore extends MemoryStore {
  override async prune(now: number): Promise<number> {
    return super.prune(now);
  }
}

class AsyncStore extends MemoryStore {
  override async set(key: string, entry: Parameters<MemoryStore["set"]>[1]): Promise<void> {
    await Promise.resolve();
    return super.set(key, entry);
  }
}

type Op =
  | { k: "reg"; id: number; owner: boolean; exec: boolean; ttl: number | null | undefined; pending: boolean }
  | { k: "complete"; id: number; ttl: number | null | undefined }
  | { k: "fail"; id: number }
  | { k: "set"; id: number; ttl: number | null | undefined; owner: boolean; exec: boolean }
  | { k: "del"; id: number; owner: boolean }
  | { k: "cleanup"; age: number }
  | { k: "tick"; ms: number }
  | { k: "page"; id: number; owner: boolean; useCursor: boolean }
  | { k: "prune" }
  | { k: "sclose" };

const id = fc.integer({ min: 0, max: 2 });
const ttl = fc.option(fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }), { nil: undefined });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    k: fc.constant("reg" as const),
    id,
    owner: fc.boolean(),
    exec: fc.boolean(),
    ttl,
    pending: fc.boolean(),
  }),
  fc.record({ k: fc.constant("complete" as const), id, ttl }),
  fc.record({ k: fc.constant("fail" as const), id }),
  fc.record({ k: fc.constant("set" as const), id, ttl, owner: fc.boolean(), exec: fc.boolean() }),
  fc.record({ k: fc.constant("del" as const), id, owner: fc.boolean() }),
  fc.record({ k: fc.constant("cleanup" as const), age: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ k: fc.constant("tick" as const), ms: fc.integer({ min: -20, max: 30 }) }),
  fc.record({ k: fc.constant("page" as const), id, owner: fc.boolean(), useCursor: fc.boolean() }),
  fc.constant({ k: "prune" as const }),
  fc.constant({ k: "sclose" as const }),
);

const ids = ["t:-a_", "t:--b", "t:_c-"];

async function run(ops: Op[], linked: boolean | "async"): Promise<unknown[]> {
  let now = 1000;
  const clock = { now: () => now };
  let stores: { store: MemoryStore; taskStore: MemoryTaskStore };
  if (linked === "async") {
    const store = new AsyncStore();
    stores = { store, taskStore: new MemoryTaskStore({ store, clock }) };
  } else if (linked) stores = createMemoryStores({ clock });
  else {
    const store = new UnlinkedStore();
    stores = { store, taskStore: new MemoryTaskStore({ store, clock }) };
  }
  const cache1 = new RefCache({ ...stores, clock, defaultTtlMs: 20 });
  const cache2 = new RefCache({ ...stores, clock, defaultTtlMs: 20 });
  let cache = cache1;
  const cursors = new Map<string, string>();
  const out: unknown[] = [];
  const wrap = async (f: () => Promise<unknown>) => {
    try {
      return await f();
    } catch (e) {
      return { err: (e as { code?: string }).code ?? String(e) };
    }
  };
  let serial = 0;
  for (const o of ops) {
    serial++;
    cache = serial % 2 === 0 ? cache1 : cache2;
    const key = "id" in o ? (ids[o.id] as string) : "";
    const own = "owner" in o && o.owner ? { owner: "al" } : {};
    switch (o.k) {
      case "reg": {
        const opts: Record<string, unknown> = { ...own };
        if (o.exec) opts.executeOnly = true;
        if (o.ttl !== undefined) opts.ttlMs = o.ttl;
        out.push(
          await wrap(() =>
            cache.registerTask(
              key,
              o.pending ? ({ cancel() {} } as never) : ({ promise: new Promise(() => {}) } as never),
              opts,
            ),
          ),
        );
        break;
      }
      case "complete":
        out.push(
          await wrap(() =>
            cache.completeTask(key, { s: serial, pad: "x".repeat(40) }, o.ttl === undefined ? {} : { ttlMs: o.ttl }),
          ),
        );
        break;
      case "fail":
        out.push(await wrap(() => cache.failTask(key, "nope")));
        break;
      case "set": {
        const opts: Record<string, unknown> = { ...own };
        if (o.exec) opts.executeOnly = true;
        if (o.ttl !== undefined) opts.ttlMs = o.ttl;
        out.push(await wrap(() => cache.set(key, { set: serial }, opts)));
        break;
      }
      case "del":
        out.push(await wrap(() => cache.delete(key, own)));
        break;
      case "cleanup":
        out.push(await wrap(() => cache.cleanupTasks(o.age)));
        break;
      case "tick":
        now += o.ms;
        break;
      case "sclose":
        out.push(await wrap(() => stores.store.close()));
        break;
      case "prune":
        out.push(await wrap(() => stores.store.prune(now)));
        break;
      case "page": {
        const cursor = o.useCursor ? cursors.get(key) : undefined;
        const p = await wrap(() =>
          cache.page(key, { ...own, maxChars: 20, ...(cursor === undefined ? {} : { cursor }) }),
        );
        const nc = (p as { nextCursor?: string } | undefined)?.nextCursor;
        if (nc !== undefined) cursors.set(key, nc);
        out.push(p);
        break;
      }
    }
    const view: Record<string, unknown> = { size: stores.store.size };
    for (const k of ids) {
      view[k] = {
        task: await wrap(() => cache.getTask(k)),
        taskAl: await wrap(() => cache.getTask(k, { owner: "al" })),
        status: cache.getTaskStatus(k),
        entry: await wrap(() => cache.getEntry(k)),
        entryAl: await wrap(() => cache.getEntry(k, { owner: "al" })),
        has: await wrap(() => cache.has(k)),
        raw: await stores.store.get(k),
        stat: await stores.store.stat(k),
      };
    }
    view.list = cache.listTasks();
    out.push(view);
  }
  await cache1.close();
  await cache2.close();
  const seen = new Map<unknown, number>();
  const norm = (v: unknown, k?: string): unknown => {
    if (Array.isArray(v)) return v.map((x) => norm(x));
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, norm(vv, kk)]));
    }
    if (k === "runId" || k === "version" || k === "nextCursor" || k === "cursor") {
      if (!seen.has(`${k}:${String(v)}`)) seen.set(`${k}:${String(v)}`, seen.size);
      return `${k}#${seen.get(`${k}:${String(v)}`)}`;
    }
    return v;
  };
  return out.map((x) => norm(x));
}

describe("results kept beside their tasks, through RefCache", () => {
  it("answer as over an unlinked pair and over asynchronous value writes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 50 }), async (ops) => {
        const a = await run(ops, true);
        const b = await run(ops, false);
        expect(a).toEqual(b);
        expect(await run(ops, "async")).toEqual(b);
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it("keep a page cursor valid when their task is cleaned up, and refuse it after the id is registered again", async () => {
    const now = 5000;
    const cache = new RefCache({ clock: { now: () => now } });
    const value = { rows: Array.from({ length: 200 }, (_, i) => i) };
    await cache.registerTask("job", { cancel() {} });
    await cache.completeTask("job", value);
    const first = await cache.page("job", { path: "/rows", maxChars: 100 });
    expect(typeof first?.nextCursor).toBe("string");
    const c1 = first?.nextCursor as string;
    const e1 = await cache.getEntry("job");
    expect(await cache.cleanupTasks(0)).toBe(1);
    expect(await cache.getTask("job")).toBeUndefined();
    const e2 = await cache.getEntry("job");
    expect(e2).toEqual(e1);
    expect((await cache.page("job", { cursor: c1, maxChars: 100 }))?.version).toBe(first?.version);
    await cache.registerTask("job", { cancel() {} });
    expect(await cache.getEntry("job")).toBeUndefined();
    await cache.completeTask("job", value);
    await expect(cache.page("job", { cursor: c1, maxChars: 100 })).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await cache.close();
  });
});
