/**
 * A run's writes through a Redis outage: a result that cannot be written is retried while it would live
 * and told to `onError`; past its TTL the run gives up and lets its lease run out, so the task ends as
 * "worker lost" everywhere instead of a lease renewed forever with nothing behind it. Progress and the
 * cancel of `close()` fail the same visible way and strand nothing. With each transport.
 */
import { type BackgroundErrorContext, RefCache, type RefCacheError, WORKER_LOST_MESSAGE } from "@mcp-refcache/core";
import { expect, it } from "vitest";
import { TRANSPORTS } from "../src/transports.js";
import { describeRedis, useStores, warmUp } from "./redis-fixture.js";
import { useRedisServer } from "./redis-server.js";

const stores = useStores();

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition never held");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A reader's view that polls through errors until `done` holds. */
async function settle<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let last: T | undefined;
  await until(async () => {
    try {
      last = await read();
      return done(last);
    } catch {
      return false;
    }
  });
  return last as T;
}

for (const transport of TRANSPORTS) {
  describeRedis(`final writes through a Redis outage (${transport} transport)`, () => {
    const server = useRedisServer();

    /** The runner's cache and a reader's, over stores warmed up (see warmUp) with 200 ms a command. */
    async function pair() {
      const runner = stores({ transport, url: server().url, commandTimeoutMs: 200 });
      const reader = stores({ transport, url: server().url, prefix: runner.prefix, commandTimeoutMs: 200 });
      await Promise.all([warmUp(runner), warmUp(reader)]);
      const errors: [RefCacheError, BackgroundErrorContext][] = [];
      const a = new RefCache({
        store: runner.store,
        taskStore: runner.taskStore,
        taskLeaseMs: 300,
        instanceId: "a",
        onError: (error, context) => errors.push([error, context]),
      });
      const b = new RefCache({ store: reader.store, taskStore: reader.taskStore, taskLeaseMs: 300, instanceId: "b" });
      return { a, b, errors };
    }

    it("gives the lease up once the result outlived its TTL unwritten: the task ends 'worker lost'", async () => {
      const { a, b, errors } = await pair();
      let finish!: () => void;
      const gate = new Promise<void>((resolve) => {
        finish = resolve;
      });
      try {
        await a.registerTask("job", () => gate.then(() => ({ rows: 3 })), { ttlMs: 1_000 });
        server().freeze(true);
        try {
          finish();
          await until(() => errors.some(([e]) => e.message.startsWith('Gave up writing the result of "job"')));
        } finally {
          server().freeze(false);
        }
        const writes = errors.filter(([, c]) => c.operation === "result write");
        expect(writes.length).toBeGreaterThan(1);
        expect(writes.every(([e, c]) => e.code === "STORE_ERROR" && c.refId === "job")).toBe(true);
        const lost = await settle(
          () => b.getTask("job"),
          (t) => t?.status !== "processing",
        );
        expect(lost).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE });
        expect(await a.getTask("job")).toMatchObject({ status: "failed" });
        expect(await b.get("job")).toBeUndefined();
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it("keeps trying while the result would live: progress is reported lost, the result lands once Redis is back", async () => {
      const { a, b, errors } = await pair();
      let finish!: () => void;
      const gate = new Promise<void>((resolve) => {
        finish = resolve;
      });
      let progress: unknown = "not reported";
      try {
        await a.registerTask("job", async ({ reportProgress }) => {
          await gate;
          progress = await reportProgress({ current: 1 }); // undefined: not written, and the work goes on
          return { rows: 3 };
        });
        server().freeze(true);
        try {
          finish();
          await until(() => errors.some(([, c]) => c.operation === "result write"));
        } finally {
          server().freeze(false);
        }
        expect(progress).toBeUndefined();
        expect(errors.find(([, c]) => c.operation === "progress write")).toMatchObject([
          { code: "STORE_ERROR" },
          { refId: "job" },
        ]);
        const done = await settle(
          () => b.getTask("job"),
          (t) => t?.status === "complete",
        );
        expect(done).toMatchObject({ status: "complete" });
        expect(await b.get("job")).toEqual({ rows: 3 });
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it("close() while Redis is away aborts the work here; the task ends 'worker lost', not running forever", async () => {
      const { a, b } = await pair();
      let signal: AbortSignal | undefined;
      try {
        await a.registerTask("job", ({ signal: given }) => {
          signal = given;
          return new Promise(() => {});
        });
        server().freeze(true);
        try {
          await a.close(); // its cancel write fails: the work is aborted here all the same
        } finally {
          server().freeze(false);
        }
        expect(signal?.aborted).toBe(true);
        const lost = await settle(
          () => b.getTask("job"),
          (t) => t?.status !== "processing",
        );
        expect(lost).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE });
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
}
