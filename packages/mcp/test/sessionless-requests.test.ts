/**
 * A 2025-era endpoint with sessions (SDK v1's Streamable HTTP transport, routed by `Mcp-Session-Id`) in
 * front of which `answerWithoutSession` answers traffic that comes before a session: `@ai-sdk/mcp`'s
 * `server/discover` probe and early GET stream must fall back to `initialize` without an uncaught error.
 */
import { createMCPClient } from "@ai-sdk/mcp";
import type { RefCache } from "@mcp-refcache/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { describe, expect, it } from "vitest";
import { answerWithoutSession, refCacheServerOptions, withRefCache } from "../src/index.js";
import { registerTestTools, SlowWork, useFixtures } from "./helpers.js";

function sessionEndpoint(cache: RefCache, work: SlowWork, guard: boolean) {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const handle = async (request: Request): Promise<Response> => {
    const early = guard ? await answerWithoutSession(request) : undefined;
    if (early !== undefined) return early;
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const transport = transports.get(sessionId);
      return transport === undefined
        ? Response.json(
            { jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } },
            { status: 404 },
          )
        : transport.handleRequest(request);
    }
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        transports.set(id, transport);
      },
    });
    const options = { pollIntervalMs: 50 };
    const server = new McpServer({ name: "sessions", version: "1.0.0" }, refCacheServerOptions(cache, options));
    registerTestTools(withRefCache(server, cache, options), work);
    await server.connect(transport);
    return transport.handleRequest(request);
  };
  const fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const request = new Request(url, init);
    const headers = new Headers(request.headers);
    headers.set("host", "127.0.0.1");
    return handle(new Request(request, { headers }));
  };
  return { fetch, close: () => Promise.all([...transports.values()].map((t) => t.close())) };
}

describe("@ai-sdk/mcp on a 2025-era endpoint with sessions", () => {
  const fixtures = useFixtures();

  async function connect(guard: boolean) {
    const endpoint = sessionEndpoint(fixtures.cache(), new SlowWork(), guard);
    const errors: unknown[] = [];
    const client = await createMCPClient({
      transport: { type: "http", url: "http://127.0.0.1/mcp", fetch: endpoint.fetch },
      onUncaughtError: (error) => errors.push(error),
    });
    return { client, errors, endpoint };
  }

  it("falls back from server/discover to initialize silently and calls a tool", async () => {
    const { client, errors, endpoint } = await connect(true);
    try {
      const tools = await client.tools();
      expect(Object.keys(tools)).toContain("get_task_status");
      const add = tools.add as unknown as { execute(args: unknown, options: unknown): Promise<unknown> };
      const answer = await add.execute({ a: 1, b: 2 }, { toolCallId: "call-1", messages: [] });
      expect(answer).toMatchObject({ structuredContent: { sum: 3 } });
      expect(errors).toEqual([]);
    } finally {
      await client.close();
      await endpoint.close();
    }
  });

  it("without answerWithoutSession the SDK transport's answers surface as uncaught errors", async () => {
    const { client, errors, endpoint } = await connect(false);
    try {
      await client.tools();
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await client.close();
      await endpoint.close();
    }
  });
});

describe("answerWithoutSession", () => {
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    new Request("http://127.0.0.1/mcp", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("answers GET and DELETE without a session with 405", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await answerWithoutSession(new Request("http://127.0.0.1/mcp", { method }));
      expect(response?.status).toBe(405);
      expect(response?.headers.get("allow")).toBe("POST");
    }
  });

  it("answers server/discover with -32601 and other requests with -32600, each with the request's id", async () => {
    const discover = await answerWithoutSession(post({ jsonrpc: "2.0", id: 7, method: "server/discover" }));
    expect(discover?.status).toBe(400);
    expect(await discover?.json()).toMatchObject({ id: 7, error: { code: -32601 } });
    const list = await answerWithoutSession(post({ jsonrpc: "2.0", id: "x", method: "tools/list" }));
    expect(await list?.json()).toMatchObject({ id: "x", error: { code: -32600 } });
  });

  it("leaves initialize, notifications, non-JSON bodies and requests with a session to the transport", async () => {
    const initialize = post({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} });
    expect(await answerWithoutSession(initialize)).toBeUndefined();
    expect(await initialize.json()).toMatchObject({ method: "initialize" }); // body still readable
    expect(await answerWithoutSession(post({ jsonrpc: "2.0", method: "notifications/initialized" }))).toBeUndefined();
    expect(await answerWithoutSession(new Request("http://127.0.0.1/mcp", { method: "POST", body: "{" }))).toBe(
      undefined,
    );
    const withSession = post({ jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": "s" });
    expect(await answerWithoutSession(withSession)).toBeUndefined();
  });
});
