// The example Worker over real HTTP on workerd: a task started in one request is followed, cancelled and
// read in others; it runs under waitUntil or inside a Durable Object; hosts outside ALLOWED_HOSTS get 403.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleWorker, skipWithoutWorkerd, startExample, until } from "./example-worker.js";

const skip = skipWithoutWorkerd();

/** The fields of the answers these tests read (tasks, values, problems). */
interface Answer {
  status?: string;
  refId: string;
  progress?: { current?: number; total?: number };
  abortedAt: number;
}

describe.skipIf(skip)("the example Worker over HTTP", () => {
  let worker: ExampleWorker;
  beforeAll(async () => {
    worker = await startExample();
  });
  afterAll(async () => {
    await worker?.dispose();
  });

  const json = async (path: string, init?: RequestInit) => {
    const response = await fetch(worker.url(path), init);
    return { status: response.status, headers: response.headers, body: (await response.json()) as Answer };
  };

  it("answers 200 with the count when it is done in time", async () => {
    const { status, body, headers } = await json("/demo/slow-count?to=2&delayMs=10", { method: "POST" });
    expect(status, worker.output()).toBe(200);
    expect(body).toEqual({ count: 2 });
    expect(headers.get("content-location")).toMatch(/^\/refcache\/refs\//);
  });

  for (const where of ["worker", "object"] as const) {
    it(`in=${where}: 202 + Location, progress followed and the result read from other requests`, async () => {
      const started = await json(`/demo/slow-count?to=6&delayMs=250&in=${where}`, { method: "POST" });
      expect(started.status, worker.output()).toBe(202);
      const location = started.headers.get("location") ?? "";
      expect(location).toMatch(/^\/refcache\/tasks\/worker/);
      const currents: number[] = [];
      const done = await until(
        () => json(location),
        ({ body }) => {
          const current = body.progress?.current;
          if (current !== undefined && currents.at(-1) !== current) currents.push(current);
          return body.status === "complete";
        },
        15_000,
        "complete",
      );
      expect(done.body).toMatchObject({ status: "complete", progress: { current: 6, total: 6, percentage: 100 } });
      expect(currents.length).toBeGreaterThan(2);
      expect(currents).toEqual([...currents].sort((a, b) => a - b));
      const value = await json(`/refcache/refs/${encodeURIComponent(started.body.refId)}`);
      expect(value).toMatchObject({ status: 200, body: { count: 6 } });
    });
  }

  for (const where of ["worker", "object"] as const)
    it(`in=${where}: a cancel from another request aborts the running work's signal within 1 s`, async () => {
      // The lease is 30 s and a step 10 s: neither a lease renewal (every 10 s) nor a progress write can be
      // what brings the cancel within 1 s; the shard's push does.
      const label = `c${where}${Date.now()}`;
      const started = await json(`/demo/slow-count?to=1000&delayMs=10000&label=${label}&in=${where}`, {
        method: "POST",
      });
      expect(started.status).toBe(202);
      const location = started.headers.get("location") ?? "";
      await until(
        () => json(location),
        ({ body }) => body.status === "processing",
        10_000,
        "running",
      );
      const cancelledAt = Date.now();
      const cancelled = await json(location, { method: "DELETE" });
      expect(cancelled).toMatchObject({ status: 200, body: { status: "cancelled" } });
      const record = await until(
        () => json(`/refcache/refs/slow-count.aborted.${label}`),
        ({ status }) => status === 200,
        5_000,
        "abort recorded",
      );
      expect(record.body.abortedAt - cancelledAt, worker.output()).toBeLessThan(1_000);
      expect((await json(location)).body.status).toBe("cancelled");
    });

  it("streams a task started by another request as Server-Sent Events until it completes", async () => {
    const started = await json("/demo/slow-count?to=5&delayMs=300", { method: "POST" });
    expect(started.status).toBe(202);
    const stream = await fetch(worker.url(`${started.headers.get("location")}/events`));
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    const events = (await stream.text())
      .split("\n\n")
      .map((block) => ({
        event: /^event: (.*)$/m.exec(block)?.[1],
        data: /^data: (.*)$/m.exec(block)?.[1],
      }))
      .filter((e) => e.data !== undefined);
    expect(events.at(-1)?.event, worker.output()).toBe("complete");
    const currents = events
      .map((e) => (JSON.parse(e.data as string) as Answer).progress?.current)
      .filter((c) => c !== undefined);
    expect(currents.at(-1)).toBe(5);
    expect(new Set(currents).size).toBeGreaterThan(2);
  });

  it("acts for the anonymous owner (core's owner rule): it follows what it holds the id of, never lists", async () => {
    const list = await fetch(worker.url("/refcache/tasks"));
    expect(list.status).toBe(403);
    expect(list.headers.get("content-type")).toBe("application/problem+json");
    // A task run in a Durable Object belongs to the caller too, not to the server only.
    const started = await json("/demo/slow-count?to=1000&delayMs=10000&in=object", { method: "POST" });
    expect(started.status).toBe(202);
    const location = started.headers.get("location") ?? "";
    expect((await json(location)).body).toMatchObject({ owner: "anonymous" });
    expect((await json(location, { method: "DELETE" })).status).toBe(200);
  });

  it("refuses a host outside ALLOWED_HOSTS and bad input", async () => {
    const foreign = await fetch(worker.url("/health").replace("127.0.0.1", "localhost"));
    expect(foreign.status).toBe(403);
    const bad = await fetch(worker.url("/demo/slow-count?to=-1"), { method: "POST" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
  });
});
