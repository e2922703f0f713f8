/**
 * The harness app: one Hono app serving the live page, the REST routes of `@mcp-refcache/hono`, a few slow
 * demo endpoints, and MCP on both SDK lines, all over one RefCache.
 *
 * Safe to copy: every route refuses a foreign `Host` or `Origin` (403); every client route acts for one
 * owner under core's owner rule — the harness has no auth, so every caller is the anonymous owner, which
 * follows references by their unguessable ids and never lists; the live page is an operator view of every
 * task, served only to the allowed hosts and origins.
 */
import type { RefCache } from "@mcp-refcache/core";
import { hostOriginGuard, refCacheRoutes, withTimeoutFallback } from "@mcp-refcache/hono";
import { Hono } from "hono";
import { validator } from "hono/validator";
import type * as z from "zod";
import { liveEvents } from "./live-events.js";
import { MCP_TIMEOUT_MS, mcpV1Endpoint, mcpV2Handler } from "./mcp-endpoints.js";
import { PAGE_HTML } from "./page.js";
import { type HarnessOptions, HarnessOptionsSchema } from "./settings.js";
import {
  BigTableInput,
  bigTable,
  FailMidwayInput,
  ForeverInput,
  failMidway,
  QuickInput,
  quick,
  SlowCountInput,
  SumColumnInput,
  slowCount,
  sumColumn,
  untilCancelled,
} from "./tools.js";

/** Reads the query string into `schema` (numbers from their text), answering 400 problem+json when it does not fit. */
function queryOf<S extends z.ZodObject>(schema: S) {
  return validator("query", (query, c) => {
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(query)) {
      const text = Array.isArray(value) ? value[0] : value;
      raw[key] = text !== undefined && /^-?\d+$/.test(text) ? Number(text) : text;
    }
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data as z.output<S>;
    return c.json(
      {
        type: "about:blank",
        title: "Invalid query",
        status: 400,
        detail: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      },
      400,
      { "content-type": "application/problem+json" },
    );
  });
}

export interface HarnessApp {
  app: Hono;
  /** Open `/mcp-v1` sessions. */
  readonly mcpV1Sessions: number;
  /** Ends the MCP sessions (the cache is the caller's to close). */
  close(): Promise<void>;
}

export function createHarnessApp(cache: RefCache, options: HarnessOptions = {}): HarnessApp {
  const parsed = HarnessOptionsSchema.parse(options);
  const app = new Hono();
  const mcpV2 = mcpV2Handler(cache);
  const mcpV1 = mcpV1Endpoint(cache, { sessionIdleMs: parsed.sessionIdleMs });
  const fallback = { timeoutMs: MCP_TIMEOUT_MS, basePath: "/refcache" };

  // DNS rebinding and cross-site calls: every route, the live page and MCP included.
  app.use(
    "*",
    hostOriginGuard({
      ...(parsed.allowedHosts === undefined ? {} : { allowedHosts: parsed.allowedHosts }),
      ...(parsed.allowedOrigins === undefined ? {} : { allowedOrigins: parsed.allowedOrigins }),
    }),
  );

  app.get("/", (c) => c.html(PAGE_HTML));
  app.get("/live", liveEvents(cache));
  app.route("/refcache", refCacheRoutes(cache));

  app.post(
    "/demo/quick",
    queryOf(QuickInput),
    withTimeoutFallback(cache, fallback, async (c) => quick(c.req.valid("query" as never))),
  );
  app.post(
    "/demo/big-table",
    queryOf(BigTableInput),
    withTimeoutFallback(cache, fallback, async (c) => bigTable(c.req.valid("query" as never))),
  );
  // A JSON body whose `table` may be a reference, e.g. { "table": { "refId": "…", "path": "/rows" }, "column": "score" }.
  app.post(
    "/demo/sum-column",
    withTimeoutFallback(cache, { ...fallback, refParams: { table: SumColumnInput.shape.table } }, (_c, work) =>
      sumColumn(SumColumnInput.parse(work.input)),
    ),
  );
  app.post(
    "/demo/slow-count",
    queryOf(SlowCountInput),
    withTimeoutFallback(cache, fallback, (c, context) => slowCount(c.req.valid("query" as never), context)),
  );
  app.post(
    "/demo/fail",
    queryOf(FailMidwayInput),
    withTimeoutFallback(cache, fallback, (c, context) => failMidway(c.req.valid("query" as never), context)),
  );
  app.post(
    "/demo/forever",
    queryOf(ForeverInput),
    withTimeoutFallback(cache, fallback, (c, context) => untilCancelled(c.req.valid("query" as never), context)),
  );

  app.all("/mcp", (c) => mcpV2.fetch(c.req.raw));
  app.all("/mcp-v1", (c) => mcpV1.fetch(c.req.raw));

  return {
    app,
    get mcpV1Sessions() {
      return mcpV1.sessionCount;
    },
    close: () => mcpV1.close(),
  };
}
