// State on disk across restarts of workerd, as `wrangler dev` keeps it under .wrangler/: what finished is
// still there, and a task whose runtime was cut off (SIGKILL, as a crash or an eviction) never stays
// `processing`: after the restart the shard's alarm ends it "worker lost", with no request polling for it.
import { WORKER_LOST_MESSAGE } from "@mcp-refcache/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleWorker, skipWithoutWorkerd, startExample, until } from "./example-worker.js";

const skip = skipWithoutWorkerd();
/** A short lease, so a cut-off task is declared lost within seconds. */
const LEASE_MS = 1_500;

interface Answer {
  status?: string;
  refId: string;
  error?: string;
  count?: number;
}

describe.skipIf(skip)("the example Worker across restarts (state on disk)", () => {
  let worker: ExampleWorker;
  beforeAll(async () => {
    worker = await startExample({ leaseMs: LEASE_MS });
  });
  afterAll(async () => {
    await worker?.dispose();
  });

  const json = async (path: string, init?: RequestInit) => {
    const response = await fetch(worker.url(path), init);
    return { status: response.status, headers: response.headers, body: (await response.json()) as Answer };
  };

  it("a finished task and its value survive a restart", async () => {
    const started = await json("/demo/slow-count?to=3&delayMs=500", { method: "POST" });
    expect(started.status).toBe(202);
    const location = started.headers.get("location") ?? "";
    await until(
      () => json(location),
      ({ body }) => body.status === "complete",
      10_000,
      "complete",
    );
    await worker.restart();
    expect((await json(location)).body).toMatchObject({ status: "complete" });
    expect((await json(`/refcache/refs/${encodeURIComponent(started.body.refId)}`)).body).toEqual({ count: 3 });
  });

  for (const where of ["worker", "object"] as const) {
    it(`in=${where}: work cut off by the runtime ends "worker lost" by the shard's alarm`, async () => {
      const started = await json(`/demo/slow-count?to=1000&delayMs=100&in=${where}`, { method: "POST" });
      expect(started.status).toBe(202);
      const location = started.headers.get("location") ?? "";
      await until(
        () => json(location),
        ({ body }) => body.status === "processing",
        10_000,
        "running",
      );
      await worker.restart("SIGKILL");
      // Only the store is read meanwhile, past every RefCache (a RefCache reading the task would fail it
      // itself once its lease ran out): the store must end it on its own, by its alarm.
      const stored = async () => (await worker.stored(started.body.refId)) as Answer | null;
      expect((await stored())?.status).toBe("processing");
      const lost = await until(stored, (task) => task?.status !== "processing", LEASE_MS + 10_000, "lost by alarm");
      expect(lost, worker.output()).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE });
      expect((await json(location)).body).toMatchObject({ status: "failed", error: WORKER_LOST_MESSAGE });
    });
  }
});
