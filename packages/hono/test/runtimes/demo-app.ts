// The tiny app every runtime proof serves: refCacheRoutes under /refcache and one slow endpoint, on the
// in-memory stores. The app is built at module scope; the cache is handed over as a factory, because
// Workers forbid the timers and random values a RefCache starts at module scope.
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

let cache: RefCache | undefined;
const cacheOnFirstUse = () => {
  cache ??= new RefCache({ name: "demo" });
  return cache;
};

export const demoApp = new Hono();
demoApp.get("/health", (c) => c.text("ok"));
demoApp.route("/refcache", refCacheRoutes(cacheOnFirstUse, { pollIntervalMs: 200 }));
// ?steps=N&stepMs=M: N steps of M ms each, reporting progress after every step.
demoApp.post(
  "/slow",
  withTimeoutFallback(cacheOnFirstUse, { timeoutMs: 50 }, async (c, { signal, reportProgress }) => {
    const steps = Number(c.req.query("steps") ?? "5");
    const stepMs = Number(c.req.query("stepMs") ?? "100");
    for (let step = 1; step <= steps; step++) {
      await sleep(stepMs, signal);
      await reportProgress({ current: step, total: steps, message: `step ${step}` });
    }
    return { answer: 42, steps };
  }),
);
