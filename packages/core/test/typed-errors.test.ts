/**
 * Everything a public call throws on purpose is a RefCacheError with a code: odd inputs (inputs that throw
 * when read included), bad clocks, and task stores that break their contract never let a raw TypeError or
 * RangeError escape.
 */
import { describe, expect, it } from "vitest";
import { truncate } from "../src/errors.js";
import {
  createMemoryStores,
  MemoryTaskStore,
  RefCache,
  RefCacheError,
  runWithTimeoutFallback,
  ValidationError,
} from "../src/index.js";
import { until, useCaches } from "./helpers.js";

const makeCache = useCaches();

/** Throws a TypeError on every read, as a hostile or revoked object does. */
const hostile = new Proxy(
  {},
  {
    get() {
      throw new TypeError("trap");
    },
    ownKeys() {
      throw new TypeError("trap");
    },
    getPrototypeOf() {
      throw new TypeError("trap");
    },
    has() {
      throw new TypeError("trap");
    },
  },
);

const ODD: unknown[] = [
  undefined,
  null,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  "",
  " a",
  "x".repeat(300),
  {},
  [],
  () => 1,
  Symbol("s"),
  10n,
  hostile,
  Object.create(null),
  new Date(Number.NaN),
];

/** Runs `call`; what it throws or rejects with, unless that is a RefCacheError. */
async function stray(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    if (!RefCacheError.isInstance(error)) return error;
  }
  return undefined;
}

describe("typed errors only", () => {
  it("every public call given odd input refuses it with a RefCacheError", async () => {
    const escaped: string[] = [];
    for (const [i, v] of ODD.entries()) {
      const cache = new RefCache();
      await cache.registerTask("p", {});
      const calls: Record<string, () => unknown> = {
        "new RefCache": () => new RefCache(v as never),
        "new RefCache option": () => new RefCache({ taskLeaseMs: v as never, clock: v as never }),
        "new RefCache onError": () => new RefCache({ onError: v as never }),
        "new MemoryTaskStore": () => new MemoryTaskStore(v as never),
        registerTask: () => cache.registerTask(v as never, {}),
        "registerTask task": () => cache.registerTask(`t${i}`, v as never),
        "registerTask options": () => cache.registerTask(`o${i}`, {}, { ttlMs: v as never, owner: v as never }),
        updateTaskProgress: () => cache.updateTaskProgress("p", v as never),
        "updateTaskProgress updater": () => cache.updateTaskProgress("p", () => v as never),
        completeTask: () => cache.completeTask("p", 1, v as never),
        cancelTask: () => cache.cancelTask("p", "why", v as never),
        getTask: () => cache.getTask(v as never),
        getTaskStatus: () => cache.getTaskStatus(v as never),
        queryTasks: () => cache.queryTasks(v as never),
        "queryTasks limit": () => cache.queryTasks({ limit: v as never, cursor: v as never }),
        listTasks: () => cache.listTasks({ status: v as never }),
        waitForTask: () => cache.waitForTask("p", { timeoutMs: v as never }),
        cleanupTasks: () => cache.cleanupTasks(v === undefined ? -1 : (v as never)),
        onTaskChange: () => cache.onTaskChange(v as never),
        set: () => cache.set("k", 1, { ttlMs: v as never }),
        get: () => cache.get(v as never),
        runWithTimeoutFallback: () => runWithTimeoutFallback(cache, v as never, { timeoutMs: 1 }),
        "runWithTimeoutFallback options": () => runWithTimeoutFallback(cache, async () => 1, v as never),
      };
      for (const [name, call] of Object.entries(calls)) {
        const error = await stray(call);
        if (error !== undefined) escaped.push(`${name}(${i}): ${String(error)}`);
      }
      await cache.close();
    }
    expect(escaped).toEqual([]);
  });

  it("a task store that breaks its contract fails calls with STORE_ERROR", async () => {
    const { store } = createMemoryStores();
    const broken = {
      get: async () => 5,
      create: async () => null,
      update: async () => ({ ok: true }),
      list: async () => ({ tasks: "none" }),
      listExpiredLeases: async () => null,
      removeFinished: async () => [1, 2],
    };
    const cache = new RefCache({ store, taskStore: broken as never });
    const calls: (() => Promise<unknown>)[] = [
      () => cache.getTask("a"),
      () => cache.registerTask("a", {}),
      () => cache.queryTasks(),
      () => cache.cleanupTasks(),
      () => cache.cancelTask("a"),
      () => cache.updateTaskProgress("a", { current: 1 }),
    ];
    for (const call of calls) {
      await expect(Promise.resolve().then(call)).rejects.toMatchObject({ code: "STORE_ERROR" });
    }
    await cache.close();
  });
});

describe("odd inputs, clocks and thrown values", () => {
  it("work that rejects with an unprintable value fails the task; fail and cancel accept such values", async () => {
    const { cache } = makeCache();
    const nullProto = Object.create(null) as object;
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const badMessage = new Error("x");
    Object.defineProperty(badMessage, "message", {
      get() {
        throw new Error("no message for you");
      },
    });
    for (const [i, reason] of [nullProto, proxy, badMessage].entries()) {
      await cache.registerTask(`job${i}`, Promise.reject(reason));
    }
    await until(() => [0, 1, 2].every((i) => cache.getTaskStatus(`job${i}`)?.status === "failed"));
    for (const [i, reason] of [nullProto, proxy, badMessage].entries()) {
      await cache.registerTask(`fail${i}`, {});
      expect((await cache.failTask(`fail${i}`, reason)).status).toBe("failed");
      await cache.registerTask(`cancel${i}`, {});
      expect((await cache.cancelTask(`cancel${i}`, reason)).status).toBe("cancelled");
    }
  });

  it("error texts never quote user code", async () => {
    const { cache } = makeCache();
    const leaky = { token: () => "sk-SECRET-123" };
    const error = await cache.set("k", leaky).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).not.toContain("SECRET");
    expect((error as ValidationError).issues[0]?.path).toEqual(["token"]);
    await cache.registerTask("job", Promise.resolve(leaky));
    await until(() => cache.getTaskStatus("job")?.status === "failed");
    expect(cache.getTaskStatus("job")?.error).not.toContain("SECRET");
    await cache.registerTask(
      "job2",
      Promise.reject(() => "sk-SECRET-456"),
    );
    await until(() => cache.getTaskStatus("job2")?.status === "failed");
    expect(cache.getTaskStatus("job2")?.error).not.toContain("SECRET");
  });

  it("intervals and timeouts past 2³¹−1 ms are refused", async () => {
    expect(() => new RefCache({ taskCleanupIntervalMs: 2 ** 31 })).toThrow(ValidationError);
    expect(() => new RefCache({ taskLeaseMs: 2 ** 31 })).toThrow(ValidationError);
    const { cache } = makeCache();
    await expect(runWithTimeoutFallback(cache, () => 1, { timeoutMs: 2 ** 31 })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it("a clock that answers nonsense or throws gives typed errors", async () => {
    for (const bad of [Number.NaN, "1700000000000", 1.5, -1]) {
      const cache = new RefCache({ clock: { now: () => bad as number } });
      const error = await cache.registerTask("job", {}).catch((e: unknown) => e);
      expect(RefCacheError.isInstance(error), String(bad)).toBe(true);
      await cache.close();
    }
    const throwing = new RefCache({
      clock: {
        now: () => {
          throw new Error("clock broke");
        },
      },
    });
    expect(RefCacheError.isInstance(await throwing.set("k", 1).catch((e: unknown) => e))).toBe(true);
    await throwing.close();
  });

  it("a task store whose clock fails refuses each call with STORE_ERROR, its write undone whole", async () => {
    // The store's own clock (leases, finish times): a clock given to MemoryTaskStore, or the cache's clock
    // that a cache lends the store it makes. It fails on the call that stores the task, after the cache's
    // own reads of it passed.
    for (const bad of ["throw", Number.NaN, 1.5, -1] as const) {
      let failing = false;
      const clock = {
        now: () => {
          if (!failing) return 1_700_000_000_000;
          if (bad === "throw") throw new Error("clock broke");
          return bad;
        },
      };
      const { store } = createMemoryStores();
      const cache = new RefCache({ store, taskStore: new MemoryTaskStore({ store, clock }) });
      await cache.registerTask("old", {});
      failing = true;
      for (const call of [
        () => cache.registerTask("new", {}),
        () => cache.getTask("old"),
        () => cache.updateTaskProgress("old", { current: 1 }),
        () => cache.completeTask("old", 1),
        () => cache.cancelTask("old"),
        () => cache.queryTasks(),
        () => cache.cleanupTasks(0),
      ]) {
        await expect(call(), String(bad)).rejects.toMatchObject({ code: "STORE_ERROR" });
      }
      failing = false;
      expect(await cache.getTask("new")).toBeUndefined();
      const old = await cache.getTask("old");
      expect(old?.status).toBe("pending");
      expect(old?.progress).toBeUndefined();
      await cache.close();
    }

    // The cache's clock, lent to the store it makes, failing on the store's read only: the progress is not
    // half written (stored, but with its lease left as it was and no listener told).
    let reads = 0;
    let failAt = -1;
    const cache = new RefCache({
      taskLeaseMs: 1000,
      clock: {
        now: () => {
          if (++reads === failAt) throw new Error("clock broke");
          return 1_700_000_000_000;
        },
      },
    });
    await cache.registerTask("job", {});
    const told: (number | undefined)[] = [];
    cache.onTaskChange((info) => told.push(info.progress?.current));
    let written = 0;
    for (let k = 1; k <= 3; k++) {
      failAt = reads + k;
      const outcome = await cache.updateTaskProgress("job", { current: k }).then(
        () => "written",
        (e: unknown) => (RefCacheError.isInstance(e, "STORE_ERROR") ? "refused" : e),
      );
      failAt = -1;
      // Refused means not written; written means stored and every listener told.
      if (outcome === "written") written = k;
      expect((await cache.getTask("job"))?.progress?.current, `clock failing on read ${k}`).toBe(written || undefined);
      expect(told.at(-1), `clock failing on read ${k}`).toBe(written || undefined);
    }
    await cache.close();
  });

  it("odd inputs give typed errors, and truncation keeps surrogate pairs whole", async () => {
    const { cache } = makeCache();
    expect(() => cache.listTasks(null as never)).not.toThrow();
    expect(() => cache.listTasks(5 as never)).toThrow(ValidationError);
    const hostile = {};
    // biome-ignore lint/suspicious/noThenProperty: the point is a hostile thenable
    Object.defineProperty(hostile, "then", {
      get() {
        throw new Error("then getter");
      },
    });
    await expect(cache.registerTask("job", hostile as never)).rejects.toBeInstanceOf(ValidationError);
    const text = `${"a".repeat(9)}😀tail`;
    const cut = truncate(text, 11);
    expect(cut).toBe(`${"a".repeat(9)}…`);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
