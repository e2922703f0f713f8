/**
 * Proves that a page after the first reads only the entry's bookkeeping: MONITOR on a second connection
 * shows the commands the cache's connection sends for each page, with each transport.
 */
import { RefCache } from "@mcp-refcache/core";
import { expect, it } from "vitest";
import { TRANSPORTS } from "../src/transports.js";
import { useCommandMonitor } from "./command-monitor.js";
import { describeRedis, useStores } from "./redis-fixture.js";

const stores = useStores();

for (const transport of TRANSPORTS) {
  describeRedis(`paging round trips (${transport} transport)`, () => {
    const monitor = useCommandMonitor();
    const { commandsOf } = monitor;

    it("reads the value once, then only its bookkeeping (one HMGET) per page", async () => {
      const { store, taskStore } = stores({ client: monitor.client, transport });
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
}
