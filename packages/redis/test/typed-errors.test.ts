/**
 * The Redis stores refuse odd input (inputs that throw when read included) with a RefCacheError and a
 * code, never a raw TypeError, and never reach Redis with it.
 */
import { RefCacheError } from "@mcp-refcache/core";
import { expect, it } from "vitest";
import { createRedisStores } from "../src/index.js";
import { describeRedis, task, useStores } from "./redis-fixture.js";

const stores = useStores();

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
  },
);

const ODD: unknown[] = [undefined, null, -1, 1.5, Number.NaN, "", "a b", {}, [], () => 1, 10n, hostile];

describeRedis("typed errors only", () => {
  it("every store call given odd input refuses it with a RefCacheError", async () => {
    const { store, taskStore } = stores();
    await taskStore.create(task("a"));
    const escaped: string[] = [];
    for (const [i, v] of ODD.entries()) {
      const calls: Record<string, () => unknown> = {
        createRedisStores: () => createRedisStores(v as never),
        prefix: () => createRedisStores({ prefix: v as never }),
        get: () => taskStore.get(v as never),
        create: () => taskStore.create(v as never),
        "create field": () => taskStore.create({ ...task(`c${i}`), leaseMs: v as never }),
        "create options": () => taskStore.create(task(`o${i}`), v as never),
        update: () => taskStore.update(v as never, 1),
        "update version": () => taskStore.update(task("a"), v as never),
        "update result": () => taskStore.update(task("a"), 1, v as never),
        list: () => taskStore.list(v as never),
        listExpiredLeases: () => taskStore.listExpiredLeases(v as never),
        removeFinished: () => taskStore.removeFinished(v as never, 10),
        subscribe: () => taskStore.subscribe(v as never, { onRemoved: v as never }),
        "value set": () => store.set("k", v as never),
        "value get": () => store.get(v as never),
      };
      for (const [name, call] of Object.entries(calls)) {
        try {
          const made = await call();
          if (name.startsWith("createRedisStores") || name === "prefix") {
            await (made as { close(): Promise<void> }).close();
          }
        } catch (error) {
          if (!RefCacheError.isInstance(error)) escaped.push(`${name}(${i}): ${String(error)}`);
        }
      }
    }
    expect(escaped).toEqual([]);
  });
});
