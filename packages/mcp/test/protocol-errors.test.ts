/**
 * JSON-RPC error codes of core failures, seen by the real SDK v1 client: a store outage or a closed cache
 * met by `resources/read` or `tasks/*` is the server's fault (-32603, core's code in `data`), while a bad
 * cursor or an id the caller cannot see stays the caller's (-32602) — core's one table, as SDK v2 answers.
 */
import { createMemoryStores, type Store, StoreError, type TaskStore } from "@mcp-refcache/core";
import { refResourceUri } from "@mcp-refcache/core/mcp";
import { describe, expect, it } from "vitest";
import { useFixtures } from "./helpers.js";

const fixtures = useFixtures();

/** The memory pair seen as a remote store that can go down: while `down`, every read rejects with a StoreError. */
function storesThatFail() {
  const inner = createMemoryStores();
  const outage = { down: false };
  const refuse = (key: string) =>
    Promise.reject(new StoreError(`The store is unreachable reading "${key}"`, key, new Error("ECONNREFUSED")));
  const store: Store = {
    get: (key) => (outage.down ? refuse(key) : inner.store.get(key)),
    set: (key, entry) => inner.store.set(key, entry),
    delete: (key) => inner.store.delete(key),
  };
  const tasks = inner.taskStore;
  const taskStore: TaskStore = {
    valueStore: store,
    get: (refId) => (outage.down ? refuse(refId) : tasks.get(refId)),
    create: (task, options, origin) => tasks.create(task, options, origin),
    update: (task, version, result, origin, quiet) => tasks.update(task, version, result, origin, quiet),
    list: (query) => (outage.down ? refuse("tasks") : tasks.list(query)),
    listExpiredLeases: (limit) => tasks.listExpiredLeases(limit),
    removeFinished: (olderThanMs, limit) => tasks.removeFinished(olderThanMs, limit),
  };
  return { taskStore, outage };
}

/** What the client's request was refused with. */
const refusal = (request: Promise<unknown>) =>
  request.then(
    () => ({ answered: true }),
    (error: { code?: unknown; data?: unknown; message?: unknown }) => ({
      code: error.code,
      data: error.data,
      message: error.message,
    }),
  );

describe("JSON-RPC error codes over SDK v1", () => {
  async function setup(native = false) {
    // The task store names its value store (`valueStore`), so the cache takes both from it.
    const { taskStore, outage } = storesThatFail();
    const cache = fixtures.cache({ name: "codes", taskStore, valueBudget: { maxChars: 200 } });
    const options = { pollIntervalMs: 50, resources: true };
    const { client } = await fixtures.connect(cache, { clientId: "alice", native, options });
    const refId = cache.newRefId();
    await cache.set(refId, { rows: Array.from({ length: 100 }, (_, id) => ({ id })) }, { owner: "auth:alice" });
    return { cache, client, outage, refId };
  }

  it("answers a resources/read that meets a store outage -32603, not -32602", async () => {
    const { client, outage, refId } = await setup();
    expect((await client.readResource({ uri: refResourceUri(refId) })).contents).toHaveLength(1);
    outage.down = true;
    expect(await refusal(client.readResource({ uri: refResourceUri(refId) }))).toMatchObject({
      code: -32603,
      data: { code: "STORE_ERROR" },
      message: expect.stringContaining("The store failed"),
    });
    // The store's own words are the server's, never the client's.
    expect(JSON.stringify(await refusal(client.readResource({ uri: refResourceUri(refId) })))).not.toContain(
      "unreachable",
    );
    outage.down = false;
    expect((await client.readResource({ uri: refResourceUri(refId) })).contents).toHaveLength(1);
  });

  it("answers a resources/read on a closed cache -32603", async () => {
    const { cache, client, refId } = await setup();
    await cache.close();
    expect(await refusal(client.readResource({ uri: refResourceUri(refId) }))).toMatchObject({
      code: -32603,
      data: { code: "CACHE_CLOSED" },
    });
  });

  it("still answers a bad cursor, and a reference the caller cannot see, -32602", async () => {
    const { client, refId } = await setup();
    expect(
      await refusal(client.readResource({ uri: refResourceUri(refId, undefined, { cursor: "not-a-cursor" }) })),
    ).toMatchObject({ code: -32602, data: { code: "VALIDATION_ERROR" } });
    expect(await refusal(client.readResource({ uri: refResourceUri("codes:never-stored") }))).toMatchObject({
      code: -32602,
      message: expect.stringContaining("belongs to another client"),
    });
  });

  it("answers tasks/get, tasks/cancel and tasks/list that meet a store outage -32603", async () => {
    const { client, outage } = await setup(true);
    const taskId = "codes:some-task";
    // Store up: an id the caller cannot see is "not found", -32602, as before.
    expect(await refusal(client.experimental.tasks.getTask(taskId))).toMatchObject({ code: -32602 });
    expect(await refusal(client.experimental.tasks.cancelTask(taskId))).toMatchObject({
      code: -32602,
      message: expect.stringContaining("Task not found"),
    });
    expect(await refusal(client.experimental.tasks.listTasks("not-a-cursor"))).toMatchObject({
      code: -32602,
      data: { code: "VALIDATION_ERROR" },
    });
    outage.down = true;
    const storeDown = { code: -32603, data: { code: "STORE_ERROR" } };
    expect(await refusal(client.experimental.tasks.getTask(taskId))).toMatchObject(storeDown);
    expect(await refusal(client.experimental.tasks.cancelTask(taskId))).toMatchObject(storeDown);
    expect(await refusal(client.experimental.tasks.getTaskResult(taskId))).toMatchObject(storeDown);
    expect(await refusal(client.experimental.tasks.listTasks())).toMatchObject(storeDown);
  });
});
