// The tiny app every runtime proof serves: refCacheRoutes under /refcache and one slow endpoint, on the
// in-memory stores. The cache is made on the first request: Workers forbid timers and random values at
// module scope.
import { RefCache } from "@mcp-refcache/core";
import { Hono } from "hono";
import { refCacheRoutes, withTimeoutFallback } from "../../src/index.js";

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("aborted"));
    });
  });

let app: Hono | undefined;

export function demoApp(): Hono {
  if (app !== undefined) return app;
  const cache = new RefCache({ name: "demo" });
  const created = new Hono();
  created.get("/health", (c) => c.text("ok"));
  created.route("/refcache", refCacheRoutes(cache, { pollIntervalMs: 200 }));
  // ?steps=N&stepMs=M: N steps of M ms each, reporting progress after every step.
  created.post(
    "/slow",
    withTimeoutFallback(cache, { timeoutMs: 50 }, async (c, { signal, reportProgress }) => {
      const steps = Number(c.req.query("steps") ?? "5");
      const stepMs = Number(c.req.query("stepMs") ?? "100");
      for (let step = 1; step <= steps; step++) {
        await sleep(stepMs, signal);
        await reportProgress({ current: step, total: steps, message: `step ${step}` });
      }
      return { answer: 42, steps };
    }),
  );
  app = created;
  return app;
}
