/**
 * The harness's MCP endpoints, built from the adapters exactly as a user would build theirs: `/mcp` on the
 * SDK v2 line (`createMcpHandler`: 2025- and 2026-era clients, the Tasks extension), `/mcp-v1` on SDK v1
 * (Streamable HTTP with sessions, native 2025-11-25 tasks).
 */
import type { RefCache } from "@mcp-refcache/core";
import { answerWithoutSession, refCacheServerOptions, withRefCache as withRefCacheV1 } from "@mcp-refcache/mcp";
import {
  type TaskSubscriptionHandler,
  withRefCache as withRefCacheV2,
  withTaskSubscriptions,
} from "@mcp-refcache/mcp-server";
import { McpServer as McpServerV1 } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createMcpHandler, type McpRequestContext, McpServer as McpServerV2 } from "@modelcontextprotocol/server";
import { DEFAULT_SESSION_IDLE_MS } from "./settings.js";
import {
  BigTableInput,
  bigTable,
  CountRowsInput,
  countRows,
  DEMO_SECRET_REF_ID,
  FailMidwayInput,
  ForeverInput,
  failMidway,
  PartnerApiInput,
  partnerApi,
  QuickInput,
  quick,
  SlowCountInput,
  SumColumnInput,
  slowCount,
  sumColumn,
  untilCancelled,
} from "./tools.js";

/** How long a tool call waits for its work before it answers with a task or a pending reference (ms). */
export const MCP_TIMEOUT_MS = 1_000;
const POLL_INTERVAL_MS = 500;

const SERVER_INFO = { name: "mcp-refcache-harness", version: "0.0.0" };

const DESCRIPTIONS = {
  quick: "Echoes a text at once.",
  slow_count: "Counts to `to`, one number every `delayMs` ms, reporting progress. Returns { count }.",
  fail_midway: "Works half its steps, then fails as an upstream service would.",
  run_until_cancelled: "Runs until cancelled, reporting a heartbeat.",
  big_table:
    "A table of `rows` rows { id, name, score } (1 to 200,000). A large table is answered with a preview and " +
    "a refId; page through it with get_cached_result.",
  count_rows:
    "Counts the rows of a table. Pass the rows, or a reference to a stored table such as a big_table result: " +
    '{ "table": { "refId": "<refId>", "path": "/rows" } }. Returns { count }.',
  sum_column:
    "Adds up one column of a table. Pass the rows, or a reference to a stored table such as a big_table result: " +
    '{ "table": { "refId": "<refId>", "path": "/rows" }, "column": "score" }. Returns { column, sum, count }.',
  partner_api:
    "Queries the partner API. Its credentials are a server secret you cannot read: pass them by reference, " +
    `{ "credentials": { "refId": "${DEMO_SECRET_REF_ID}" } }.`,
};

/** Tools whose `table` (or `credentials`) accept a reference to a stored value. */
const TABLE_REF = { refParams: ["table"] };
const CREDENTIALS_REF = { refParams: ["credentials"] };

/** A v2 `McpServer` with the demo tools over the shared cache (one per request, or one for stdio). */
export function buildV2Server(cache: RefCache, request?: McpRequestContext): McpServerV2 {
  const server = new McpServerV2(SERVER_INFO);
  const tools = withRefCacheV2(server, cache, {
    timeoutMs: MCP_TIMEOUT_MS,
    pollIntervalMs: POLL_INTERVAL_MS,
    // References are also resources: refcache://refs/{refId}, linked from answers that hand one back.
    resources: true,
    ...(request === undefined ? {} : { request }),
  });
  tools.registerTool("quick", { description: DESCRIPTIONS.quick, inputSchema: QuickInput }, (args) => quick(args));
  tools.registerTool("slow_count", { description: DESCRIPTIONS.slow_count, inputSchema: SlowCountInput }, slowCount);
  tools.registerTool(
    "fail_midway",
    { description: DESCRIPTIONS.fail_midway, inputSchema: FailMidwayInput },
    failMidway,
  );
  tools.registerTool(
    "run_until_cancelled",
    { description: DESCRIPTIONS.run_until_cancelled, inputSchema: ForeverInput },
    untilCancelled,
  );
  tools.registerTool("big_table", { description: DESCRIPTIONS.big_table, inputSchema: BigTableInput }, (args) =>
    bigTable(args),
  );
  tools.registerTool(
    "count_rows",
    { description: DESCRIPTIONS.count_rows, inputSchema: CountRowsInput, refParams: ["table"] },
    countRows,
  );
  tools.registerTool(
    "sum_column",
    { description: DESCRIPTIONS.sum_column, inputSchema: SumColumnInput, refParams: ["table"] },
    sumColumn,
  );
  tools.registerTool(
    "partner_api",
    { description: DESCRIPTIONS.partner_api, inputSchema: PartnerApiInput, refParams: ["credentials"] },
    partnerApi,
  );
  return server;
}

/**
 * The SDK v2 endpoint: `createMcpHandler` calls the factory per request (handing it the request, so a
 * session-less notifications/cancelled can reach its call); the cache is shared. Wrapped so
 * `subscriptions/listen` with task ids streams `notifications/tasks`.
 */
export function mcpV2Handler(cache: RefCache): TaskSubscriptionHandler {
  return withTaskSubscriptions(
    createMcpHandler((request) => buildV2Server(cache, request)),
    cache,
    // The options withRefCache has that shape an answer: pushed results link references as resources too.
    { pollIntervalMs: POLL_INTERVAL_MS, resources: true },
  );
}

/** A live SDK v1 session: its transport, its server, when it was last used (ms, `Date.now`), open answers. */
interface V1Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServerV1;
  lastSeen: number;
  /** Requests (and their streamed answers, e.g. the standalone SSE stream) still open: never idle then. */
  open: number;
}

/** `response` with a body that calls `done` once when it ends or its reader cancels it (the client left). */
function onBodyEnd(response: Response, done: () => void): Response {
  if (response.body === null) {
    done();
    return response;
  }
  let ended = false;
  const end = () => {
    if (!ended) {
      ended = true;
      done();
    }
  };
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: finished, value } = await reader.read();
        if (finished) {
          end();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        end();
        controller.error(error);
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * The SDK v1 endpoint: a server and transport per MCP session, routed by the `mcp-session-id` header. A
 * request without a session id that does not start one (anything but `initialize`) closes what it built;
 * a session with no request or stream open for `sessionIdleMs` is closed (its references live on: they
 * belong to the caller's owner, not to the session).
 */
export function mcpV1Endpoint(
  cache: RefCache,
  { sessionIdleMs = DEFAULT_SESSION_IDLE_MS }: { sessionIdleMs?: number } = {},
): {
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
  /** Open sessions (for tests and operators). */
  readonly sessionCount: number;
} {
  const sessions = new Map<string, V1Session>();
  const options = { timeoutMs: MCP_TIMEOUT_MS, pollIntervalMs: POLL_INTERVAL_MS, resources: true };
  let sweeper: ReturnType<typeof setInterval> | undefined;
  const endSession = (id: string) => {
    const session = sessions.get(id);
    sessions.delete(id);
    if (sessions.size === 0 && sweeper !== undefined) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
    return session?.server.close().catch(() => {});
  };
  const sweep = () => {
    const now = Date.now();
    for (const [id, session] of sessions) {
      if (session.open === 0 && now - session.lastSeen >= sessionIdleMs) void endSession(id);
    }
  };
  return {
    get sessionCount() {
      return sessions.size;
    },
    async fetch(request) {
      // Before a session: 405 for GET, a JSON-RPC error with the request's id for server/discover & co.
      const early = await answerWithoutSession(request);
      if (early !== undefined) return early;
      const sessionId = request.headers.get("mcp-session-id");
      if (sessionId !== null) {
        const session = sessions.get(sessionId);
        if (session === undefined) return Response.json({ error: "unknown MCP session" }, { status: 404 });
        session.lastSeen = Date.now();
        session.open++;
        const closed = () => {
          session.open--;
          session.lastSeen = Date.now();
        };
        try {
          return onBodyEnd(await session.transport.handleRequest(request), closed);
        } catch (error) {
          closed();
          throw error;
        }
      }
      const server = new McpServerV1(SERVER_INFO, refCacheServerOptions(cache, options));
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, { transport, server, lastSeen: Date.now(), open: 0 });
          // Swept a few times per idle period; never keeps the process alive.
          sweeper ??= setInterval(sweep, Math.max(10, Math.min(sessionIdleMs / 4, 60_000)));
          (sweeper as { unref?: () => void }).unref?.();
        },
        onsessionclosed: (id) => {
          void endSession(id);
        },
      });
      const tools = withRefCacheV1(server, cache, options);
      tools.registerTool("quick", { description: DESCRIPTIONS.quick, inputSchema: QuickInput.shape }, (args) =>
        quick(QuickInput.parse(args)),
      );
      tools.registerTool(
        "slow_count",
        { description: DESCRIPTIONS.slow_count, inputSchema: SlowCountInput.shape },
        (args, context) => slowCount(SlowCountInput.parse(args), context),
      );
      tools.registerTool(
        "fail_midway",
        { description: DESCRIPTIONS.fail_midway, inputSchema: FailMidwayInput.shape },
        (args, context) => failMidway(FailMidwayInput.parse(args), context),
      );
      tools.registerTool(
        "run_until_cancelled",
        { description: DESCRIPTIONS.run_until_cancelled, inputSchema: ForeverInput.shape },
        (args, context) => untilCancelled(ForeverInput.parse(args), context),
      );
      tools.registerTool(
        "big_table",
        { description: DESCRIPTIONS.big_table, inputSchema: BigTableInput.shape },
        (args) => bigTable(BigTableInput.parse(args)),
      );
      tools.registerTool(
        "count_rows",
        { description: DESCRIPTIONS.count_rows, inputSchema: CountRowsInput.shape, ...TABLE_REF },
        (args) => countRows(CountRowsInput.parse(args)),
      );
      tools.registerTool(
        "sum_column",
        { description: DESCRIPTIONS.sum_column, inputSchema: SumColumnInput.shape, ...TABLE_REF },
        (args) => sumColumn(SumColumnInput.parse(args)),
      );
      tools.registerTool(
        "partner_api",
        { description: DESCRIPTIONS.partner_api, inputSchema: PartnerApiInput.shape, ...CREDENTIALS_REF },
        (args) => partnerApi(PartnerApiInput.parse(args)),
      );
      await server.connect(transport);
      const response = await transport.handleRequest(request);
      // No session came of it (a request other than initialize, or a bad one): free what it built.
      if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) await server.close();
      return response;
    },
    async close() {
      await Promise.allSettled([...sessions.keys()].map((id) => endSession(id)));
    },
  };
}
