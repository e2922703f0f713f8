/**
 * The Worker's routes, built per request over a RefCache of that request: on Workers, sockets and timers
 * belong to the request that made them, and the state that must outlive it lives in the Durable Objects.
 *
 * - `POST /demo/slow-count?to=N&delayMs=M` — 200 with `{ count }` when done within 1 s, else 202 +
 *   `Location: /refcache/tasks/:refId`. The work runs under `waitUntil` (about 30 s past the response);
 *   add `&in=object` to run it in a Durable Object instead. `&label=L` records when a cancelled count
 *   stopped, under `/refcache/refs/slow-count.aborted.L`.
 * - `/refcache/…` — the Hono routes (task JSON, SSE, cancel, results).
 * - `/mcp` — MCP (SDK v2) with the `slow_count` tool.
 *
 * Owner rule (core's, as in the harness): there is no auth here, so every client call acts for the one
 * anonymous owner — it reads, follows and cancels what it holds the id of, and never lists; what server
 * code stores without an owner is never served to a client. Add auth by passing `owner` to the routes and
 * `withTimeoutFallback` (and the same principal to `startInObject` and `recordAbort`).
 */
import { createDurableObjectStores, startInObject, type TaskRunnerObject } from "@mcp-refcache/cloudflare";
import { ANONYMOUS_OWNER, DecodedValues, RefCache } from "@mcp-refcache/core";
import { refCacheRoutes, withTimeoutFallback } from "@mcp-refcache/hono";
import { type Context, Hono } from "hono";
import * as z from "zod";
import type { WorkerConfig } from "./config.js";
import { mcpHandler } from "./mcp.js";
import { AbortLabel, recordAbort, SlowCountInput, slowCount } from "./slow-count.js";

export interface Env {
  REFCACHE: DurableObjectNamespace;
  RUNNER: DurableObjectNamespace<TaskRunnerObject<Env>>;
  /** wrangler.jsonc `vars`, checked by `readConfig`. */
  ALLOWED_HOSTS?: string;
  TASK_LEASE_MS?: string;
}

/**
 * Values decoded for previews and pages, kept by the isolate for every request's cache: paging a large value
 * reads it whole once here, then only its bookkeeping a page. Module scope is fine: it only holds Maps.
 */
const decodedValues = new DecodedValues();

/** How long `/demo/slow-count` waits for the count before it answers 202 (ms). */
const TIMEOUT_MS = 1_000;

const SlowCountQuery = SlowCountInput.extend({
  in: z.enum(["worker", "object"]).default("worker"),
  label: AbortLabel.optional(),
});

function problem(c: Context, status: 400 | 500, detail: string) {
  return c.json({ type: "about:blank", title: "Bad request", status, detail }, status, {
    "content-type": "application/problem+json",
  });
}

export function createApp(env: Env, ctx: ExecutionContext, config: WorkerConfig): Hono {
  const cache = new RefCache({
    name: "worker",
    taskLeaseMs: config.TASK_LEASE_MS,
    decodedValues,
    ...createDurableObjectStores(env),
  });
  const app = new Hono();
  app.get("/health", (c) => c.text("ok"));
  app.route("/refcache", refCacheRoutes(cache, { pollIntervalMs: 250 }));

  const inWorker = withTimeoutFallback(cache, { timeoutMs: TIMEOUT_MS }, async (c, work) => {
    const { to, delayMs, label } = c.get("query" as never) as z.output<typeof SlowCountQuery>;
    return recordAbort(cache, label, work.signal, () => slowCount({ to, delayMs }, work));
  });

  app.post("/demo/slow-count", async (c, next) => {
    const raw = Object.fromEntries(
      Object.entries(c.req.query()).map(([key, text]) => [key, /^-?\d+$/.test(text) ? Number(text) : text]),
    );
    const parsed = SlowCountQuery.safeParse(raw);
    if (!parsed.success) return problem(c, 400, parsed.error.issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    if (parsed.data.in === "worker") {
      c.set("query" as never, parsed.data as never);
      return inWorker(c, next);
    }
    const { to, delayMs, label } = parsed.data;
    const refId = cache.newRefId();
    const input = label === undefined ? { to, delayMs } : { to, delayMs, label };
    // The task belongs to the caller, as one started by the routes above: this Worker has no auth, so every
    // caller is the anonymous owner (core's owner rule), which follows it by its id.
    await startInObject(env.RUNNER, { refId, name: "slow_count", input, owner: ANONYMOUS_OWNER });
    const task = await cache.waitForTask(refId, { timeoutMs: TIMEOUT_MS });
    if (task?.status === "complete") return c.json((await cache.get(refId)) as object, 200);
    c.header("Location", `/refcache/tasks/${encodeURIComponent(refId)}`);
    c.header("Retry-After", "1");
    return c.json(task as object, 202);
  });

  const mcp = mcpHandler(cache, ctx);
  app.all("/mcp", (c) => mcp.fetch(c.req.raw));
  return app;
}
