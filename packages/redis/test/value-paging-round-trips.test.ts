/**
 * Proves that a page after the first reads only the entry's bookkeeping: MONITOR on a second connection
 * shows the commands the cache's connection sends for each page.
 */
import { RefCache } from "@mcp-refcache/core";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRedis, rawClient, useStores } from "./redis-fixture.js";

const stores = useStores();
let client: Redis;
let monitor: Redis;
const sent: string[][] = [];

describeRedis("paging round trips", () => {
  beforeAll(async () => {
    client = rawClient();
    await client.ping();
    const source = `${client.stream.localAddress}:${client.stream.localPort}`;
    monitor = await rawClient().monitor();
    monitor.on("monitor", (_time: string, args: string[], from: string) => {
      if (from === source) sent.push(args);
    });
  });
  afterAll(async () => {
    monitor.disconnect();
    client.disconnect();
  });

  let markers = 0;
  /** The commands `call` sends, between two ECHO markers MONITOR has shown. */
  async function commandsOf(call: () => Promise<unknown>): Promise<string[]> {
    const mark = async () => {
      const marker = `marker-${markers++}`;
      await client.echo(marker);
      await expect.poll(() => sent.some((args) => args[1] === marker)).toBe(true);
      return marker;
    };
    const before = await mark();
    await call();
    const after = await mark();
    const start = sent.findIndex((args) => args[1] === before);
    const end = sent.findIndex((args) => args[1] === after);
    const between = sent.slice(start + 1, end).map((args) => (args[0] ?? "").toLowerCase());
    sent.length = 0;
    return between;
  }

  it("reads the value once, then only its bookkeeping (one HMGET) per page", async () => {
    const { store, taskStore } = stores({ client });
    const cache = new RefCache({ store, taskStore });
    await cache.set(
      "t",
      Array.from({ length: 500 }, (_, id) => ({ id, name: `row ${id}` })),
    );
    let cursor: string | undefined;
    expect(
      await commandsOf(async () => {
        cursor = (await cache.page("t", { maxChars: 500 }))?.nextCursor;
      }),
    ).toEqual(["hmget", "hgetall"]);
    for (let i = 0; i < 3; i++) {
      expect(
        await commandsOf(async () => {
          cursor = (await cache.page("t", { maxChars: 500, cursor: cursor as string }))?.nextCursor;
        }),
      ).toEqual(["hmget"]);
    }
    expect(await commandsOf(() => cache.preview("t", { maxChars: 200 }))).toEqual(["hmget"]);
    await cache.close();
  });
});
