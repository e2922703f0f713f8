/**
 * The `transport` option (`transports.ts`) on the real Redis: "direct" (the default) hands ioredis
 * commands it built itself, "ioredis" only ever goes through the client's own `call` (plain ioredis
 * `Command`s), also with ioredis's auto-pipelining turned on, and both read back what they wrote.
 * The conformance, round-trip and outage suites run with each transport too.
 */
import { type Cluster, Command, type Redis } from "ioredis";
import { expect, it } from "vitest";
import { TRANSPORTS, type TransportName } from "../src/transports.js";
import { describeRedis, rawClient, task, useStores } from "./redis-fixture.js";

const stores = useStores();

/** A connected client of the test's own that notes, for each command it is handed, whether ioredis built it. */
async function watchedClient(options: { enableAutoPipelining?: boolean } = {}) {
  const client = rawClient();
  await client.ping(); // connected: the handshake's own commands are not watched
  if (options.enableAutoPipelining) client.options.enableAutoPipelining = true;
  const built: ("by ioredis" | "by the package")[] = [];
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command: Command, ...rest: unknown[]) => {
    built.push(command.constructor === Command ? "by ioredis" : "by the package");
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as Redis["sendCommand"];
  return { client, built };
}

/** A value write, a task lifecycle and the reads of both; returns what was read back. */
async function exercise(transport: TransportName, client: Redis | Cluster) {
  const { store, taskStore } = stores({ client, transport });
  const t = task("t");
  await store.set("v", { data: '"x"', createdAt: 1 });
  await taskStore.create(t);
  await taskStore.update({ ...t, status: "complete", completedAt: 2 }, 1, { data: "1", createdAt: 2 });
  return { value: await store.get("v"), task: await taskStore.get("t"), result: await store.get("t") };
}

describeRedis("transports", () => {
  it('defaults to "direct", which sends commands it built itself', async () => {
    const { client, built } = await watchedClient();
    try {
      const { store } = stores({ client });
      await store.get("absent");
      expect(built).toEqual(["by the package"]);
    } finally {
      client.disconnect();
    }
  });

  for (const transport of TRANSPORTS) {
    it(`"${transport}" writes and reads back, through ${transport === "ioredis" ? "ioredis's own commands" : "its own"}`, async () => {
      const { client, built } = await watchedClient();
      try {
        expect(await exercise(transport, client)).toMatchObject({
          value: { data: '"x"' },
          task: { refId: "t", status: "complete", version: 2 },
          result: { data: "1" },
        });
        expect(new Set(built)).toEqual(new Set([transport === "ioredis" ? "by ioredis" : "by the package"]));
      } finally {
        client.disconnect();
      }
    });
  }

  it('"ioredis" works through ioredis\'s auto-pipelining, many calls at once', async () => {
    const { client, built } = await watchedClient({ enableAutoPipelining: true });
    try {
      const { taskStore } = stores({ client, transport: "ioredis", commandTimeoutMs: 5_000 });
      const ids = Array.from({ length: 50 }, (_, i) => `burst-${i}`);
      await Promise.all(ids.map((id) => taskStore.create(task(id))));
      const read = await Promise.all(ids.map((id) => taskStore.get(id)));
      expect(read.map((t) => t?.refId)).toEqual(ids);
      // The auto-pipeline hands ioredis's commands over in batches: never one of the package's own.
      expect(built.length).toBeGreaterThan(0);
      expect(built.every((b) => b === "by ioredis")).toBe(true);
      expect(client.autoPipelineQueueSize).toBe(0);
    } finally {
      client.disconnect();
    }
  });

  it("a store on its own client fails with STORE_ERROR within the deadline on either transport", async () => {
    for (const transport of TRANSPORTS) {
      // Nothing listens on port 1: the call waits for a connection that never comes, until its deadline.
      const { taskStore } = stores({ url: "redis://127.0.0.1:1", transport, commandTimeoutMs: 100 });
      const started = performance.now();
      await expect(taskStore.get("x")).rejects.toMatchObject({ code: "STORE_ERROR" });
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });
});
