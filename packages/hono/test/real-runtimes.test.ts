// The demo app (refCacheRoutes + one withTimeoutFallback endpoint, memory stores) served by real
// runtimes and driven with real HTTP on 127.0.0.1. On workerd the slow work only finishes because
// waitUntil kept it alive after the 202 went out.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSse } from "./helpers.js";
import { type RunningApp, type RuntimeName, runtimeBinary, startApp } from "./runtimes/harness.js";

const runtimes: RuntimeName[] = ["workerd", "deno", "bun", "node"];

for (const name of runtimes) {
  const binary = runtimeBinary(name);
  const missing = "missing" in binary ? binary.missing : undefined;
  if (missing !== undefined && process.env.CI !== "true") {
    console.warn(`skipping the ${name} runtime proof: ${missing}`);
  }

  describe.skipIf(missing !== undefined && process.env.CI !== "true")(`on ${name}`, () => {
    let app: RunningApp;

    beforeAll(async () => {
      if (missing !== undefined) throw new Error(`${name} is required under CI=true: ${missing}`);
      app = await startApp(name, (binary as { path: string }).path);
    });
    afterAll(async () => {
      await app?.stop();
    });

    const url = (path: string) => `${app.baseUrl}${path}`;

    it("slow call → 202 + Location → SSE to complete → the value", async () => {
      const started = await fetch(url("/slow?steps=4&stepMs=150"), { method: "POST" });
      expect(started.status, app.output()).toBe(202);
      expect(started.headers.get("retry-after")).toBe("1");
      const location = started.headers.get("location") ?? "";
      expect(location).toMatch(/^\/refcache\/tasks\/demo%3A[A-Za-z0-9_-]{22}$/);
      const task = (await started.json()) as { refId: string; status: string };
      expect(["pending", "processing"]).toContain(task.status);

      const stream = await fetch(url(`${location}/events`));
      expect(stream.headers.get("content-type")).toBe("text/event-stream");
      const events = parseSse(await stream.text());
      expect(events.at(-1)?.event, app.output()).toBe("complete");
      const currents = events.map((e) => JSON.parse(e.data).progress?.current).filter((c) => c !== undefined);
      expect(currents.at(-1)).toBe(4);
      expect(currents).toEqual([...currents].sort());

      const value = await fetch(url(`/refcache/refs/${encodeURIComponent(task.refId)}`));
      expect(value.status).toBe(200);
      expect(await value.json()).toEqual({ answer: 42, steps: 4 });
    });

    it("cancel: DELETE stops the work, a second DELETE is 409", async () => {
      const started = await fetch(url("/slow?steps=100&stepMs=100"), { method: "POST" });
      expect(started.status).toBe(202);
      const location = started.headers.get("location") ?? "";
      const cancelled = await fetch(url(location), { method: "DELETE" });
      expect(cancelled.status, app.output()).toBe(200);
      expect(await cancelled.json()).toMatchObject({ status: "cancelled" });
      const again = await fetch(url(location), { method: "DELETE" });
      expect(again.status).toBe(409);
      expect(again.headers.get("content-type")).toBe("application/problem+json");
      expect(await (await fetch(url(location))).json()).toMatchObject({ status: "cancelled" });
    });

    // workerd only: the other runtimes are long-lived processes that have no ExecutionContext.
    if (name === "workerd")
      it("without waitUntil workerd drops the work after the response", async () => {
        // The same work twice, side by side: with the ExecutionContext, and without (the negative control).
        const post = (headers: Record<string, string>) =>
          fetch(url("/slow?steps=4&stepMs=150"), { method: "POST", headers });
        const [kept, dropped] = await Promise.all([post({}), post({ "x-without-wait-until": "1" })]);
        expect([kept.status, dropped.status]).toEqual([202, 202]);
        const keptEvents = parseSse(await (await fetch(url(`${kept.headers.get("location")}/events`))).text());
        expect(keptEvents.at(-1)?.event).toBe("complete");
        // By the time the kept work made all four steps, the dropped one has not made even one.
        const stuck = await (await fetch(url(dropped.headers.get("location") ?? ""))).json();
        expect(stuck).toMatchObject({ status: "processing" });
        expect(stuck.progress).toBeUndefined();
      });

    it("a bad id answers 400 problem+json", async () => {
      const response = await fetch(url(`/refcache/tasks/${"x".repeat(300)}`));
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ code: "VALIDATION_ERROR", status: 400 });
    });
  });
}
