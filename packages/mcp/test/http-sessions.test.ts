import type { RefCache } from "@mcp-refcache/core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolResultSchema, CreateTaskResultSchema, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { refCacheServerOptions, withRefCache } from "../src/index.js";
import { registerTestTools, SlowWork, textOf, until, useFixtures } from "./helpers.js";

/** An MCP endpoint on the SDK's web-standard transport: one server per session, routed by session id. */
function httpEndpoint(cache: RefCache, work: SlowWork) {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const handle = async (request: Request): Promise<Response> => {
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const transport = transports.get(sessionId);
      return transport === undefined
        ? new Response("unknown session", { status: 404 })
        : transport.handleRequest(request);
    }
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        transports.set(id, transport);
      },
    });
    const options = { pollIntervalMs: 50 };
    const server = new McpServer({ name: "http", version: "1.0.0" }, refCacheServerOptions(cache, options));
    registerTestTools(withRefCache(server, cache, options), work);
    await server.connect(transport);
    return transport.handleRequest(request);
  };
  // In-process fetch: no socket. Node's Request sets no Host header, so add one as a client would.
  const fetch = async (url: string | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set("host", new URL(url).host);
    return handle(new Request(url, { ...init, headers }));
  };
  return { fetch, close: () => Promise.all([...transports.values()].map((t) => t.close())) };
}

describe("two sessions over Streamable HTTP", () => {
  const fixtures = useFixtures();
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  async function httpClient(fetch: ReturnType<typeof httpEndpoint>["fetch"]): Promise<Client> {
    const client = new Client({ name: "http-client", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL("http://127.0.0.1/mcp"), { fetch }));
    clients.push(client);
    return client;
  }

  it("never see each other's tasks, and progress reaches the client after the CreateTaskResult", async () => {
    const cache = fixtures.cache();
    const work = new SlowWork();
    const endpoint = httpEndpoint(cache, work);
    try {
      const alice = await httpClient(endpoint.fetch);
      const bob = await httpClient(endpoint.fetch);

      const progress: Progress[] = [];
      const { task } = await alice.request(
        { method: "tools/call", params: { name: "slow", arguments: { quarter: "Q1" }, task: { ttl: 60_000 } } },
        CreateTaskResultSchema,
        { onprogress: (p) => progress.push(p) },
      );
      const pending = await alice.callTool({ name: "slow", arguments: { quarter: "Q2" } });
      const refId = (pending.structuredContent as { refId: string }).refId;

      for (const id of [task.taskId, refId]) {
        const status = await bob.callTool({ name: "get_task_status", arguments: { refId: id } });
        expect(status.isError).toBe(true);
        expect(textOf(status)).toContain("belongs to another session");
        await expect(bob.experimental.tasks.getTask(id)).rejects.toThrow(/Task not found/);
      }
      expect((await bob.experimental.tasks.listTasks()).tasks).toEqual([]);
      expect((await alice.experimental.tasks.listTasks()).tasks.map((t) => t.taskId).sort()).toEqual(
        [task.taskId, refId].sort(),
      );

      // The tools/call stream is closed by now: step 2 reaches alice on the session's standalone stream.
      work.stepGate.resolve();
      await until(() => progress.some((p) => p.progress === 2), "progress over HTTP");
      work.gate.resolve();
      const result = await alice.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
      expect(result.structuredContent).toEqual({ quarter: "Q1", revenue: 42 });
      const viaPolling = await alice.callTool({ name: "get_cached_result", arguments: { refId } });
      expect(viaPolling.structuredContent).toMatchObject({ value: { quarter: "Q2", revenue: 42 } });
    } finally {
      await endpoint.close();
    }
  });
});
