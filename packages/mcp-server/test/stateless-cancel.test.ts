/**
 * Stateless `/mcp` (createMcpHandler serving 2025-era clients without a session), over real HTTP: a
 * client that gives up on its `tools/call` before the answer never got a ref id, so nobody could stop the
 * work later. The work stops when the request's connection is aborted before the answer, and when a
 * session-less `notifications/cancelled` of the same verified principal names the call.
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createMcpHonoApp } from "@modelcontextprotocol/hono";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as V1HttpTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { type AuthInfo, createMcpHandler, type McpRequestContext } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import { deferAfterEach, deferred, newCache, serverFactory, Work } from "./harness.js";

/** Stands in for token verification: the bearer token is the principal's name. */
const authOf = (authorization: string | undefined): AuthInfo | undefined => {
  const principal = authorization?.replace(/^Bearer /, "");
  return principal ? { token: `token-${principal}`, clientId: principal, scopes: [] } : undefined;
};

async function listen(defer: (cleanup: () => Promise<unknown>) => void) {
  const cache = newCache();
  defer(() => cache.close());
  const work = new Work();
  // As the README shows: the factory hands its request context to withRefCache.
  const handler = createMcpHandler((request: McpRequestContext) => serverFactory(cache, work, { request })());
  const app = createMcpHonoApp();
  app.all("/mcp", (c) =>
    handler.fetch(c.req.raw, { parsedBody: c.get("parsedBody"), authInfo: authOf(c.req.header("authorization")) }),
  );
  const url = await new Promise<URL>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
      resolve(new URL(`http://127.0.0.1:${info.port}/mcp`));
    });
    defer(
      () =>
        new Promise<void>((done) => {
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          server.close(() => done());
        }),
    );
  });
  return { cache, work, url };
}

const bearer = (principal: string) => ({ requestInit: { headers: { authorization: `Bearer ${principal}` } } });

describe("a 2025-era client on stateless HTTP that gives up on its tools/call before the answer", () => {
  const defer = deferAfterEach();

  // The SDK aborts the request signal when the connection closes; these guard that path end to end.
  it("stops the work when its connection closes (SDK v2 client, no auth)", async () => {
    const { cache, work, url } = await listen(defer);
    const client = new Client({ name: "closing-v2", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url));
    const started = deferred<void>();
    const call = client.callTool(
      { name: "patient", arguments: { key: "v2" } },
      { onprogress: () => started.resolve() },
    );
    await started.promise;
    await client.close();
    await expect(call).rejects.toThrow();
    await work.aborted("v2");
    const [task] = (await cache.queryTasks({})).tasks;
    expect(task?.status).toBe("cancelled");
  });

  it("stops the work when its connection closes (SDK v1 client, no auth)", async () => {
    const { work, url } = await listen(defer);
    const client = new V1Client({ name: "closing-v1", version: "1.0.0" });
    await client.connect(new V1HttpTransport(url));
    const started = deferred<void>();
    const call = client.request(
      { method: "tools/call", params: { name: "patient", arguments: { key: "v1" } } },
      CallToolResultSchema,
      { onprogress: () => started.resolve() },
    );
    await started.promise;
    await client.close();
    await expect(call).rejects.toThrow();
    await work.aborted("v1");
  });

  type StartCall = (url: URL, signal: AbortSignal, onprogress: () => void) => Promise<{ call: Promise<unknown> }>;
  const v2Call: StartCall = async (url, signal, onprogress) => {
    const client = new Client({ name: "alice-v2", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url, bearer("alice")));
    defer(() => client.close());
    return { call: client.callTool({ name: "patient", arguments: { key: "mine" } }, { signal, onprogress }) };
  };
  const v1Call: StartCall = async (url, signal, onprogress) => {
    const client = new V1Client({ name: "alice-v1", version: "1.0.0" });
    await client.connect(new V1HttpTransport(url, bearer("alice")));
    defer(() => client.close());
    const params = { name: "patient", arguments: { key: "mine" } };
    return { call: client.request({ method: "tools/call", params }, CallToolResultSchema, { signal, onprogress }) };
  };

  it.each([
    ["SDK v2", v2Call],
    ["SDK v1", v1Call],
  ] as const)(
    "stops the work on its own notifications/cancelled (%s client, verified principal)",
    async (_label, start) => {
      const { cache, work, url } = await listen(defer);
      const controller = new AbortController();
      const started = deferred<void>();
      const { call } = await start(url, controller.signal, () => started.resolve());
      await started.promise;
      // Another principal names every likely request id first: none of it may touch alice's call.
      for (let requestId = 0; requestId < 8; requestId++) {
        const response = await fetch(url, {
          method: "POST",
          headers: {
            authorization: "Bearer mallory",
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "mcp-protocol-version": "2025-11-25",
          },
          body: JSON.stringify({
            jsonrpc: "2.0",
            method: "notifications/cancelled",
            params: { requestId, reason: "mallory" },
          }),
        });
        expect(response.status).toBe(202);
      }
      controller.abort("alice changed her mind");
      await expect(call).rejects.toThrow();
      await work.aborted("mine");
      const [task] = (await cache.queryTasks({})).tasks;
      expect(task).toMatchObject({ status: "cancelled", error: "alice changed her mind" });
    },
  );

  it("cancels neither call when two clients of one principal both have the named request id open", async () => {
    const { cache, work, url } = await listen(defer);
    const start = async (key: string) => {
      const started = deferred<void>();
      const client = new V1Client({ name: `alice-${key}`, version: "1.0.0" });
      await client.connect(new V1HttpTransport(url, bearer("alice")));
      defer(() => client.close());
      // Each client numbers its requests from 0 (initialize): both tools/call go out as request id 1.
      const params = { name: "patient", arguments: { key } };
      const call = client.request({ method: "tools/call", params }, CallToolResultSchema, {
        onprogress: () => started.resolve(),
      });
      await started.promise;
      return { call };
    };
    const [a, b] = [await start("A"), await start("B")];
    const response = await fetch(url, {
      method: "POST",
      headers: {
        authorization: "Bearer alice",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } }),
    });
    expect(response.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Which client meant it cannot be told: both calls go on.
    const statuses = (await cache.queryTasks({})).tasks.map((task) => task.status);
    expect(statuses).toEqual(["processing", "processing"]);
    work.release("A", 1);
    work.release("B", 2);
    await Promise.all([a?.call, b?.call]);
  });

  it("leaves the work of a call that was answered (with a pending reference) running", async () => {
    const { cache, work, url } = await listen(defer);
    const client = new Client({ name: "patient-v2", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url));
    defer(() => client.close());
    const answer = await client.callTool({ name: "slow", arguments: { key: "kept" } });
    const refId = (answer.structuredContent as { refId: string }).refId;
    await client.close();
    expect((await cache.getTask(refId))?.status).not.toBe("cancelled");
    work.release("kept", 1);
    await expect.poll(async () => (await cache.getTask(refId))?.status).toBe("complete");
  });
});
