/**
 * Hostile inputs to RefCache's public methods: odd ids (not strings, huge, control characters, proxies
 * that throw) and options (proxies and getters that throw) are rejected promises with a typed
 * RefCacheError, never synchronous throws; and nothing handed out (listener infos, getTask, getTaskStatus,
 * listTasks, queryTasks, the task store's get, the value store's get) shares state with the stores.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStores, RefCache, RefCacheError } from "../src/index.js";

const throwingOpts = new Proxy(
  {},
  {
    get() {
      throw new Error("boom get");
    },
    ownKeys() {
      throw new Error("boom keys");
    },
    getOwnPropertyDescriptor() {
      throw new Error("boom desc");
    },
    has() {
      throw new Error("boom has");
    },
    getPrototypeOf() {
      throw new Error("boom proto");
    },
  },
);
const getterOpts = Object.defineProperty({}, "owner", {
  enumerable: true,
  get() {
    throw new Error("boom getter");
  },
});
const oddIds: unknown[] = [
  undefined,
  null,
  42,
  Symbol("x"),
  {},
  {
    toString: () => {
      throw new Error("ts");
    },
  },
  "",
  "x".repeat(1_000_000),
  "-lead",
  "_lead",
  "a b",
  "a\u0000b",
  "\u0000create",
  new Proxy(
    {},
    {
      get() {
        throw new Error("p");
      },
    },
  ),
];
const oddOptions: unknown[] = [throwingOpts, getterOpts, 5, "s", null, Symbol("o"), []];

async function settle(f: () => unknown): Promise<unknown> {
  let r: unknown;
  try {
    r = f();
  } catch (e) {
    return { sync: e };
  }
  expect(r).toBeInstanceOf(Promise);
  try {
    await r;
    return { ok: true };
  } catch (e) {
    return { rejected: e };
  }
}

describe("hostile inputs", () => {
  it("every task method rejects odd ids/options with RefCacheError, never throws synchronously", async () => {
    const cache = new RefCache();
    const calls: [string, (id: unknown, o: unknown) => unknown][] = [
      [
        "registerTask",
        (id, o) => cache.registerTask(id as string, { promise: new Promise(() => {}) } as never, o as never),
      ],
      ["startTask", (id, o) => cache.startTask(id as string, o as never)],
      ["updateTaskProgress", (id, o) => cache.updateTaskProgress(id as string, { current: 1 }, o as never)],
      ["completeTask", (id, o) => cache.completeTask(id as string, 1, o as never)],
      ["failTask", (id, o) => cache.failTask(id as string, "e", o as never)],
      ["cancelTask", (id, o) => cache.cancelTask(id as string, "r", o as never)],
      ["getTask", (id, o) => cache.getTask(id as string, o as never)],
      ["waitForTask", (id, o) => cache.waitForTask(id as string, o as never)],
      ["get", (id, o) => cache.get(id as string, o as never)],
      ["getEntry", (id, o) => cache.getEntry(id as string, o as never)],
      ["has", (id, o) => cache.has(id as string, o as never)],
      ["delete", (id, o) => cache.delete(id as string, o as never)],
      ["preview", (id, o) => cache.preview(id as string, o as never)],
      ["page", (id, o) => cache.page(id as string, o as never)],
      ["set", (id, o) => cache.set(id as string, 1, o as never)],
      ["queryTasks", (_id, o) => cache.queryTasks(o as never)],
      ["cleanupTasks", (id) => cache.cleanupTasks(id as number)],
    ];
    const bad: string[] = [];
    for (const [name, call] of calls) {
      for (const id of [...oddIds, "ok-id"]) {
        for (const o of [...oddOptions, undefined]) {
          if (id === "ok-id" && o === undefined) continue;
          const out = (await settle(() => call(id, o))) as Record<string, unknown>;
          if ("sync" in out)
            bad.push(
              `${name}(${String(typeof id === "string" ? id.slice(0, 10) : typeof id)}, ${typeof o}) sync: ${String(out.sync)}`,
            );
          else if ("rejected" in out && !(out.rejected instanceof RefCacheError))
            bad.push(
              `${name}(${typeof id === "string" ? id.slice(0, 10) : typeof id}, ${String(typeof o)}) untyped: ${String(out.rejected)}`,
            );
        }
      }
    }
    await cache.close();
    expect([...new Set(bad)]).toEqual([]);
  });

  it("nothing handed out shares state with the store", async () => {
    const stores = createMemoryStores();
    const cache = new RefCache(stores);
    const infos: unknown[] = [];
    cache.onTaskChange((info) => {
      infos.push(info);
      (info as { status: string }).status = "failed";
      if ((info as { progress?: { current?: number } }).progress)
        (info as { progress: { current: number } }).progress.current = 99;
    });
    const id = cache.newRefId();
    await cache.registerTask(id, {} as never);
    const p = await cache.updateTaskProgress(id, { current: 1, total: 2 });
    (p.progress as { current: number }).current = 77;
    const g = await cache.getTask(id);
    (g as { status: string }).status = "complete";
    (g?.progress as { current: number }).current = 55;
    const s = cache.getTaskStatus(id);
    (s as { status: string }).status = "complete";
    (s?.progress as { current: number }).current = 44;
    const l = cache.listTasks();
    (l[0] as { status: string }).status = "complete";
    (l[0]?.progress as { current: number }).current = 33;
    const q = await cache.queryTasks({});
    (q.tasks[0] as { status: string }).status = "complete";
    const st = await stores.taskStore.get(id);
    (st as { status: string }).status = "complete";
    (st?.progress as { current: number }).current = 22;
    const after = await cache.getTask(id);
    expect(after?.status).toBe("processing");
    expect(after?.progress?.current).toBe(1);
    await cache.completeTask(id, { a: 1 });
    const e = await stores.store.get(id);
    (e as { data: string }).data = '"x"';
    expect(await cache.get(id)).toEqual({ a: 1 });
    await cache.close();
  });
});
