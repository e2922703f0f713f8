/**
 * A RefCache on the Redis stores while its Redis stops answering: reads fail with STORE_ERROR, the
 * running work is kept, and its completion is written (status and value together) once Redis is back.
 * With each transport.
 */
import { RefCache } from "@mcp-refcache/core";
import { expect, it } from "vitest";
import { TRANSPORTS } from "../src/transports.js";
import { describeRedis, useStores, warmUp } from "./redis-fixture.js";
import { useRedisServer } from "./redis-server.js";

const stores = useStores();

for (const transport of TRANSPORTS) {
  describeRedis(`RefCache through a Redis outage (${transport} transport)`, () => {
    const server = useRedisServer();

    it("keeps the work, fails reads with STORE_ERROR, and completes with the value once Redis is back", async () => {
      const runner = stores({ transport, url: server().url, commandTimeoutMs: 200 });
      const reader = stores({ transport, url: server().url, prefix: runner.prefix, commandTimeoutMs: 200 });
      await Promise.all([warmUp(runner), warmUp(reader)]);
      const a = new RefCache({ store: runner.store, taskStore: runner.taskStore, instanceId: "a" });
      const b = new RefCache({ store: reader.store, taskStore: reader.taskStore, instanceId: "b" });
      let finishWork!: () => void;
      const gate = new Promise<void>((resolve) => {
        finishWork = resolve;
      });
      let aborted = false;
      try {
        await a.registerTask("job", async ({ signal }) => {
          signal.addEventListener("abort", () => {
            aborted = true;
          });
          await gate;
          return { rows: [1, 2, 3] };
        });
        expect(await b.getTask("job")).toMatchObject({ status: "processing" });

        server().freeze(true);
        try {
          await expect(b.getTask("job")).rejects.toMatchObject({ code: "STORE_ERROR" });
          // The work finishes while Redis is away: its completion cannot be written yet.
          finishWork();
          await new Promise((r) => setTimeout(r, 500));
          await expect(b.get("job")).rejects.toMatchObject({ code: "STORE_ERROR" });
        } finally {
          server().freeze(false);
        }

        const done = await b.waitForTask("job", { timeoutMs: 15_000 });
        expect(done).toMatchObject({ status: "complete" });
        expect(await b.get("job")).toEqual({ rows: [1, 2, 3] });
        expect(aborted).toBe(false);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
}
