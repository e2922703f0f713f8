import { ANONYMOUS_OWNER, type RefCache } from "@mcp-refcache/core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolResultSchema, CreateTaskResultSchema, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { refCacheServerOptions, sessionScope, type WithRefCacheOptions, withRefCache } from "../src/index.js";
import { registerTestTools, SlowWork, textOf, until, useFixtures } from "./helpers.js";

/** The auth info a bearer token `Bearer <client>` stands for (a test's token verification). */
function authOf(request: Request): AuthInfo | undefined {
  const client = request.headers.get("authorization")?.replace(/^Bearer /, "");
  return client === undefined ? undefined : { token: client, clientId: client, scopes: [] };
}

/** An MCP endpoint on the SDK's web-standard transport: one server per session, routed by session id. */
function httpEndpoint(cache: RefCache, work: SlowWork, options: WithRefCacheOptions = { pollIntervalMs: 50 }) {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const handle = async (request: Request): Promise<Response> => {
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const transport = transports.get(sessionId);
      if (transport === undefined) return new Response("unknown session", { status: 404 });
      const authInfo = authOf(request);
      return transport.handleRequest(request, authInfo === undefined ? {} : { authInfo });
    }
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        transports.set(id, transport);
      },
    });
    const server = new McpServer({ name: "http", version: "1.0.0" }, refCacheServerOptions(cache, options));
    registerTestTools(withRefCache(server, cache, options), work);
    await server.connect(transport);
    const authInfo = authOf(request);
    return transport.handleRequest(request, authInfo === undefined ? {} : { authInfo });
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

  /** A client on a new session; with `bearer`, every request carries `Authorization: Bearer <bearer>`. */
  async function httpClient(fetch: ReturnType<typeof httpEndpoint>["fetch"], bearer?: string): Promise<Client> {
    const client = new Client({ name: "http-client", version: "1.0.0" });
    const requestInit = bearer === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${bearer}` } } };
    await client.connect(new StreamableHTTPClientTransport(new URL("http://127.0.0.1/mcp"), { fetch, ...requestInit }));
    clients.push(client);
    return client;
  }

  it("never see each other's tasks with session scope chosen, and progress reaches the client after the CreateTaskResult", async () => {
    const cache = fixtures.cache();
    const work = new SlowWork();
    const endpoint = httpEndpoint(cache, work, { pollIntervalMs: 50, owner: sessionScope });
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
        expect(textOf(status)).toContain("belongs to another client");
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

  it("follow a principal's references across sessions, and keep two principals apart (the default owner)", async () => {
    const cache = fixtures.cache();
    const work = new SlowWork();
    const endpoint = httpEndpoint(cache, work);
    try {
      const alice = await httpClient(endpoint.fetch, "alice");
      const { task } = await alice.request(
        { method: "tools/call", params: { name: "slow", arguments: { quarter: "Q1" }, task: { ttl: 60_000 } } },
        CreateTaskResultSchema,
      );
      const pending = await alice.callTool({ name: "slow", arguments: { quarter: "Q2" } });
      const refId = (pending.structuredContent as { refId: string }).refId;
      expect((await cache.getTask(refId))?.owner).toBe("auth:alice");
      await alice.close();

      // Alice reconnects: a new session, the same principal.
      const again = await httpClient(endpoint.fetch, "alice");
      expect((await again.experimental.tasks.getTask(task.taskId)).status).toBe("working");
      expect((await again.callTool({ name: "get_task_status", arguments: { refId } })).isError).toBeFalsy();
      expect((await again.experimental.tasks.listTasks()).tasks.map((t) => t.taskId).sort()).toEqual(
        [task.taskId, refId].sort(),
      );

      const bob = await httpClient(endpoint.fetch, "bob");
      for (const id of [task.taskId, refId]) {
        const status = await bob.callTool({ name: "get_task_status", arguments: { refId: id } });
        expect(status.isError).toBe(true);
        await expect(bob.experimental.tasks.getTask(id)).rejects.toThrow(/Task not found/);
        await expect(bob.experimental.tasks.cancelTask(id)).rejects.toThrow(/Task not found/);
      }
      expect((await bob.experimental.tasks.listTasks()).tasks).toEqual([]);

      work.stepGate.resolve();
      work.gate.resolve();
      const result = await again.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
      expect(result.structuredContent).toEqual({ quarter: "Q1", revenue: 42 });
      const viaPolling = await again.callTool({ name: "get_cached_result", arguments: { refId } });
      expect(viaPolling.structuredContent).toMatchObject({ value: { quarter: "Q2", revenue: 42 } });
    } finally {
      await endpoint.close();
    }
  });

  it("without auth: a reconnecting client follows its reference by id, and nobody lists", async () => {
    const cache = fixtures.cache();
    const work = new SlowWork();
    const endpoint = httpEndpoint(cache, work);
    try {
      const first = await httpClient(endpoint.fetch);
      const pending = await first.callTool({ name: "slow", arguments: { quarter: "Q3" } });
      const refId = (pending.structuredContent as { refId: string }).refId;
      expect((await cache.getTask(refId))?.owner).toBe(ANONYMOUS_OWNER);
      await first.close();

      const again = await httpClient(endpoint.fetch);
      expect((await again.experimental.tasks.getTask(refId)).status).toBe("working");
      expect((await again.experimental.tasks.listTasks()).tasks).toEqual([]);
      work.stepGate.resolve();
      work.gate.resolve();
      await cache.waitForTask(refId, { timeoutMs: 5000 });
      const result = await again.callTool({ name: "get_cached_result", arguments: { refId } });
      expect(result.structuredContent).toMatchObject({ value: { quarter: "Q3", revenue: 42 } });
    } finally {
      await endpoint.close();
    }
  });

  it("server-only entries answer every client exactly as an id that was never used", async () => {
    const cache = fixtures.cache();
    await cache.registerTask("nightly-report", async () => ({ revenue: 42 }));
    await cache.waitForTask("nightly-report", { timeoutMs: 5000 });
    await cache.set("internal:db", { password: "hunter2" });
    for (const [bearer, options] of [
      [undefined, undefined],
      ["mallory", undefined],
      [undefined, { pollIntervalMs: 50, owner: sessionScope }],
    ] as const) {
      const endpoint = httpEndpoint(cache, new SlowWork(), options);
      try {
        const client = await httpClient(endpoint.fetch, bearer);
        const answers = async (id: string) => {
          const texts: string[] = [];
          for (const tool of ["get_task_status", "get_cached_result", "cancel_task"]) {
            const result = await client.callTool({ name: tool, arguments: { refId: id } });
            texts.push(JSON.stringify(result).replaceAll(id, "<id>"));
          }
          texts.push(
            String(await client.experimental.tasks.getTask(id).catch((e: Error) => e.message)).replaceAll(id, "<id>"),
          );
          return texts;
        };
        for (const id of ["nightly-report", "internal:db"]) {
          expect(await answers(id), `${id} for ${bearer ?? "an anonymous client"}`).toEqual(
            await answers("never-used"),
          );
        }
      } finally {
        await endpoint.close();
      }
    }
    expect(await cache.get("internal:db")).toEqual({ password: "hunter2" });
  });
});
