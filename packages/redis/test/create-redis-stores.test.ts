import { RefCache } from "@mcp-refcache/core";
import { Cluster } from "ioredis";
import { expect, it } from "vitest";
import { createRedisStores } from "../src/index.js";
import { describeRedis, newPrefix, rawClient, task, useStores } from "./redis-fixture.js";

const stores = useStores();

describeRedis("createRedisStores", () => {
  it("rejects bad options with VALIDATION_ERROR", () => {
    const client = rawClient();
    for (const options of [
      { prefix: "" },
      { commandTimeoutMs: 0 },
      { commandTimeoutMs: 2 ** 31 },
      { url: "redis://127.0.0.1:6379", client },
      { client: {} },
      { colour: "red" },
      { url: "http://127.0.0.1:6379" },
      { url: "" },
      { layout: "sharded" },
      { transport: "fast" },
      { client: new Cluster([{ host: "127.0.0.1", port: 1 }], { lazyConnect: true }), layout: "single" },
    ]) {
      expect(() => createRedisStores(options as never)).toThrow(expect.objectContaining({ code: "VALIDATION_ERROR" }));
    }
    client.disconnect();
  });

  it("refuses prefixes that could share keys with another prefix or pin a Cluster slot", () => {
    const base = newPrefix();
    for (const prefix of [
      `${base}v:`, // its keys would be `${base}`'s values: a value write would land on a task hash
      `${base}t:`,
      `${base}v:x:`,
      `${base}i:`,
      `${base}io:`,
      "app", // no ":" to end it: "app" and "appv:" would collide
      "app:{tag}:",
      "app}:",
      "app\ud800:", // Redis keeps keys as UTF-8: every lone surrogate is U+FFFD, so these two would be one
      "app\udbff:",
    ]) {
      expect(() => createRedisStores({ prefix, url: "redis://127.0.0.1:1" })).toThrow(
        expect.objectContaining({ code: "VALIDATION_ERROR" }),
      );
    }
    for (const prefix of ["refcache:", "myapp:refcache:", "a::", "v1:", "tasks:", "app\ud83d\ude00:"]) {
      const made = createRedisStores({ prefix, url: "redis://127.0.0.1:1", commandTimeoutMs: 50 });
      void made.close();
    }
  });

  it("refuses an owner that UTF-8 would change (a lone surrogate) before it reaches Redis", async () => {
    const { store, taskStore, close } = createRedisStores({ prefix: newPrefix(), url: "redis://127.0.0.1:1" });
    try {
      const entry = { data: "1", createdAt: 1, owner: "auth:alice\ud800" };
      await expect(store.set("k", entry)).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
      await expect(taskStore.list({ owner: "auth:bob\udc00", limit: 10 })).rejects.toMatchObject({
        code: "VALIDATION_ERROR",
      });
    } finally {
      await close();
    }
  });

  it("pairs each task store with its own value store: a RefCache given another one is refused", async () => {
    const one = stores();
    const two = stores();
    expect(one.taskStore.valueStore).toBe(one.store);
    expect(() => new RefCache({ store: two.store, taskStore: one.taskStore })).toThrow(
      expect.objectContaining({ code: "VALIDATION_ERROR" }),
    );
    const cache = new RefCache({ taskStore: one.taskStore });
    expect(cache.store).toBe(one.store);
    await cache.close();
  });

  it("leaves a client it was given open on close, and refuses calls afterwards", async () => {
    const client = rawClient();
    const { taskStore, close } = stores({ client });
    await taskStore.create(task("a"));
    await close();
    await close();
    expect(await client.ping()).toBe("PONG");
    await expect(taskStore.get("a")).rejects.toMatchObject({ code: "STORE_ERROR" });
    client.disconnect();
  });

  it("quits the connections it opened itself", async () => {
    const admin = rawClient();
    const prefix = newPrefix();
    const { taskStore, close } = createRedisStores({ prefix });
    taskStore.subscribe(() => {});
    await taskStore.changesReady();
    await taskStore.get("a");
    const named = async () =>
      String(await admin.client("LIST"))
        .split("\n")
        .filter((l) => l.includes(`name=${prefix}`));
    expect(await named()).toHaveLength(2);
    await close();
    await expect.poll(named).toHaveLength(0);
    admin.disconnect();
  });
});
