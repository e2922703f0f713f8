import { describe, expect, it, vi } from "vitest";
import { MemoryStore, type Store } from "../src/index.js";
import { KeyedMutex } from "../src/keyed-mutex.js";
import { startBackgroundInterval } from "../src/timer.js";
import { deferred, flush } from "./helpers.js";

/** What every Store must do; run it against each backend. */
function storeContract(name: string, make: () => Store) {
  describe(`${name} honours the Store contract`, () => {
    it("writes, reads and deletes entries", async () => {
      const store = make();
      expect(await store.get("k")).toBeUndefined();
      await store.set("k", { data: '{"n":1}', createdAt: 1, expiresAt: 5 });
      expect(await store.get("k")).toEqual({ data: '{"n":1}', createdAt: 1, expiresAt: 5 });
      expect(await store.delete("k")).toBe(true);
      expect(await store.delete("k")).toBe(false);
    });

    it("reports an entry's timestamps without its value, where it can", async () => {
      const store = make();
      if (store.stat === undefined) return;
      await store.set("k", { data: '"big"', createdAt: 3, expiresAt: 9 });
      expect(await store.stat("k")).toEqual({ createdAt: 3, expiresAt: 9 });
      expect(await store.stat("missing")).toBeUndefined();
    });

    it("hands out entries that later mutations cannot change", async () => {
      const store = make();
      await store.set("k", { data: "[1]", createdAt: 1 });
      const read = (await store.get("k")) as { data: string };
      read.data = "[2]";
      expect((await store.get("k"))?.data).toBe("[1]");
    });

    it("prunes exactly the expired entries", async () => {
      const store = make();
      await store.set("old", { data: "1", createdAt: 0, expiresAt: 10 });
      await store.set("edge", { data: "1", createdAt: 0, expiresAt: 20 });
      await store.set("fresh", { data: "1", createdAt: 0, expiresAt: 21 });
      await store.set("forever", { data: "1", createdAt: 0 });
      expect(await store.prune?.(20)).toBe(2);
      expect(await store.get("old")).toBeUndefined();
      expect(await store.get("edge")).toBeUndefined();
      expect(await store.get("fresh")).toBeDefined();
      expect(await store.get("forever")).toBeDefined();
    });
  });
}

storeContract("MemoryStore", () => new MemoryStore());

describe("MemoryStore", () => {
  it("empties on close", async () => {
    const store = new MemoryStore();
    await store.set("k", { data: "1", createdAt: 0 });
    await store.close();
    expect(store.size).toBe(0);
  });
});

describe("KeyedMutex", () => {
  it("runs work for one key one at a time, in call order", async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const gate = deferred();
    const first = mutex.run("k", async () => {
      order.push("first:start");
      await gate.promise;
      order.push("first:end");
    });
    const second = mutex.run("k", () => {
      order.push("second");
    });
    await flush();
    expect(order).toEqual(["first:start"]);
    gate.resolve(undefined);
    await Promise.all([first, second]);
    expect(order).toEqual(["first:start", "first:end", "second"]);
    expect(mutex.size).toBe(0);
  });

  it("lets other keys run meanwhile and survives a failing job", async () => {
    const mutex = new KeyedMutex();
    const gate = deferred();
    const blocked = mutex.run("a", () => gate.promise);
    await expect(mutex.run("b", () => "free")).resolves.toBe("free");
    const failing = mutex.run("a", () => {
      throw new Error("job failed");
    });
    const after = mutex.run("a", () => "after");
    gate.resolve(undefined);
    await blocked;
    await expect(failing).rejects.toThrow("job failed");
    await expect(after).resolves.toBe("after");
    expect(mutex.size).toBe(0);
  });
});

describe("startBackgroundInterval", () => {
  it("unrefs handles that can be unref'd", () => {
    const unref = vi.fn();
    const spy = vi.spyOn(globalThis, "setInterval").mockReturnValue({ unref } as never);
    const clear = vi.spyOn(globalThis, "clearInterval").mockImplementation(() => {});
    try {
      const handle = startBackgroundInterval(() => {}, 1000);
      expect(unref).toHaveBeenCalledTimes(1);
      handle.stop();
      expect(clear).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
      clear.mockRestore();
    }
  });

  it("works on runtimes whose timers are plain numbers, using Deno.unrefTimer where present", () => {
    const spy = vi.spyOn(globalThis, "setInterval").mockReturnValue(17 as never);
    const clear = vi.spyOn(globalThis, "clearInterval").mockImplementation(() => {});
    const unrefTimer = vi.fn();
    try {
      expect(() => startBackgroundInterval(() => {}, 1000).stop()).not.toThrow();
      vi.stubGlobal("Deno", { unrefTimer });
      startBackgroundInterval(() => {}, 1000).stop();
      expect(unrefTimer).toHaveBeenCalledWith(17);
      expect(clear).toHaveBeenCalledWith(17);
    } finally {
      vi.unstubAllGlobals();
      spy.mockRestore();
      clear.mockRestore();
    }
  });
});
