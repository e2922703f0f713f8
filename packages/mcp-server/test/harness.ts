/**
 * Real clients against real servers for the tests: the v2 Client over the in-memory transport (legacy
 * handshake, or pinned to 2026-07-28 through `serveStdio`), the ext-tasks client session, raw JSON-RPC
 * for error cases, and `createMcpHandler` reached through an in-process `fetch`.
 */

import { RefCache } from "@mcp-refcache/core";
import { type Deferred, deferred } from "@mcp-refcache/core/testing";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { createTaskSessionFromClient, type TaskEnabledSession } from "@modelcontextprotocol/ext-tasks/client";
import { createMcpHonoApp } from "@modelcontextprotocol/hono";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport as V1InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  type AuthInfo,
  createMcpHandler,
  InMemoryTransport,
  type JSONRPCMessage,
  McpServer,
  type McpServerFactory,
} from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { afterEach } from "vitest";
import * as z from "zod";
import { type CachedToolContext, type RefCacheServerOptions, withRefCache } from "../src/index.js";

export const TASKS = "io.modelcontextprotocol/tasks";
export const MODERN = "2026-07-28";
const clientInfo = { name: "test-client", version: "1.0.0" };

export { type Deferred, deferred };

/**
 * Work the tests hold and release by key, so "slow" means "not released yet" rather than a duration.
 * Records each abort, so a test can wait for a cancel to reach the handler's signal.
 */
export class Work {
  readonly #gates = new Map<string, Deferred<unknown>>();
  readonly #aborts = new Map<string, Deferred<unknown>>();

  gate(key: string): Deferred<unknown> {
    let gate = this.#gates.get(key);
    if (gate === undefined) {
      gate = deferred<unknown>();
      gate.promise.catch(() => {});
      this.#gates.set(key, gate);
    }
    return gate;
  }

  /** Resolves when the handler running under `key` saw its signal abort. */
  aborted(key: string): Promise<unknown> {
    return this.#abort(key).promise;
  }

  release(key: string, value: unknown): void {
    this.gate(key).resolve(value);
  }

  fail(key: string, message: string): void {
    this.gate(key).reject(new Error(message));
  }

  /** Waits for the gate, or rejects once `signal` aborts. */
  async hold(key: string, signal: AbortSignal): Promise<unknown> {
    const abort = this.#abort(key);
    const onAbort = () => {
      abort.resolve(signal.reason);
      this.gate(key).reject(new Error("aborted"));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    return this.gate(key).promise;
  }

  #abort(key: string): Deferred<unknown> {
    let abort = this.#aborts.get(key);
    if (abort === undefined) {
      abort = deferred<unknown>();
      this.#aborts.set(key, abort);
    }
    return abort;
  }
}

/** A server factory: a fresh McpServer per call (as `serveStdio` and `createMcpHandler` want) over one cache. */
export function serverFactory(cache: RefCache, work: Work, options: RefCacheServerOptions = {}) {
  return (): McpServer => {
    const server = new McpServer({ name: "refcache-test", version: "1.0.0" }, { capabilities: { tools: {} } });
    const tools = withRefCache(server, cache, { timeoutMs: 25, pollIntervalMs: 50, ...options });
    tools.registerTool(
      "quick",
      // Its own timeout: on a loaded machine the first call over a new Redis connection can take longer
      // than the 25 ms the other tools wait, and "quick" must always answer inline.
      { description: "Answers at once", inputSchema: z.object({ text: z.string() }), timeoutMs: 10_000 },
      async ({ text }) => ({ echo: text }),
    );
    const held = async ({ key }: { key: string }, { signal, reportProgress }: CachedToolContext) => {
      await reportProgress({ current: 1, total: 4, message: "started" });
      return work.hold(key, signal);
    };
    const keyed = z.object({ key: z.string() });
    tools.registerTool("slow", { description: "Answers once the test releases it", inputSchema: keyed }, held);
    tools.registerTool(
      "patient",
      { description: "Like slow, but the call waits for it a long time", inputSchema: keyed, timeoutMs: 60_000 },
      held,
    );
    return server;
  };
}

/** Makes the in-memory transport behave like a wire: `undefined` fields vanish, as in real JSON. */
function jsonWire(transport: InMemoryTransport): InMemoryTransport {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(JSON.parse(JSON.stringify(message)) as JSONRPCMessage, options);
  return transport;
}

export type RpcResponse =
  | { result: Record<string, unknown> }
  | { error: { code: number; message: string; data?: unknown } };
export type SendRaw = (request: { method: string; params: Record<string, unknown> }) => Promise<RpcResponse>;

/** The `_meta` envelope a 2026-07-28 request carries; `declare` puts the Tasks extension in it. */
export function envelope(declare: boolean): Record<string, unknown> {
  return {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": clientInfo,
    "io.modelcontextprotocol/clientCapabilities": declare ? { extensions: { [TASKS]: {} } } : {},
  };
}

/** One raw 2026-era request, with or without the extension declared. */
export function rawCall(send: SendRaw, method: string, params: Record<string, unknown>, declare = true) {
  return send({ method, params: { ...params, _meta: envelope(declare) } });
}

/** An ext-tasks session whose 2026 task traffic goes through `send`. */
function taskSession(client: Client, send: SendRaw): TaskEnabledSession<unknown> {
  return createTaskSessionFromClient(client, {
    endpointId: "refcache-test",
    rawDispatch: async (request) => {
      const response = await send(request as { method: string; params: Record<string, unknown> });
      return "error" in response
        ? { kind: "error", error: response.error }
        : { kind: "result", result: response.result };
    },
    v2RequestFraming: { protocolVersion: MODERN, clientInfo, clientCapabilities: {} },
  } as Parameters<typeof createTaskSessionFromClient>[1]);
}

/** A raw 2026-era channel: a second stateless in-memory connection to the same factory. */
async function rawChannel(factory: McpServerFactory) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const handle = serveStdio(factory, { transport: jsonWire(serverSide) });
  const waiting = new Map<string, (message: RpcResponse) => void>();
  clientSide.onmessage = (message) => {
    const id = String((message as { id?: unknown }).id);
    waiting.get(id)?.(message as unknown as RpcResponse);
    waiting.delete(id);
  };
  await clientSide.start();
  let nextId = 0;
  const send: SendRaw = (request) =>
    new Promise((resolve) => {
      const id = `raw-${++nextId}`;
      waiting.set(id, resolve);
      void clientSide.send({ jsonrpc: "2.0", id, ...request } as JSONRPCMessage);
    });
  return { send, close: () => handle.close() };
}

/** A v2 Client pinned to 2026-07-28, an ext-tasks session beside it, and a raw channel. */
export async function connectModern(factory: McpServerFactory) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const handle = serveStdio(factory, { transport: jsonWire(serverSide) });
  const client = new Client(clientInfo, { versionNegotiation: { mode: { pin: MODERN } } });
  await client.connect(clientSide);
  const raw = await rawChannel(factory);
  const session = taskSession(client, raw.send);
  return {
    client,
    session,
    send: raw.send,
    close: async () => {
      await session.close();
      await client.close();
      await raw.close();
      await handle.close();
    },
  };
}

/** A v2 Client with its default (2025-era, legacy) handshake, served by `serveStdio` like the modern one. */
export async function connectLegacy(factory: () => McpServer) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const handle = serveStdio(factory, { transport: jsonWire(serverSide) });
  const client = new Client(clientInfo);
  await client.connect(clientSide);
  const close = async () => {
    await client.close();
    await handle.close();
  };
  return { client, close };
}

/**
 * A legacy client on a session with an id, as a stateful HTTP transport gives: the server is connected
 * directly, since `serveStdio` does not pass a transport's session id on.
 */
export async function connectSession(factory: () => McpServer, sessionId: string) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  serverSide.sessionId = sessionId;
  await factory().connect(jsonWire(serverSide));
  const client = new Client(clientInfo);
  await client.connect(clientSide);
  return { client, close: () => client.close() };
}

/** A client of SDK v1 (`@modelcontextprotocol/sdk`, spec 2025-11-25) on one McpServer. */
export async function connectSdkV1(factory: () => McpServer) {
  const [clientSide, serverSide] = V1InMemoryTransport.createLinkedPair();
  // v1's in-memory transport has the Transport shape v2 servers take; only the nominal types differ.
  await factory().connect(serverSide as unknown as Parameters<McpServer["connect"]>[0]);
  const client = new V1Client(clientInfo);
  await client.connect(clientSide);
  return { client, close: () => client.close() };
}

// createMcpHonoApp returns an untyped Hono app; this is where its JSON body middleware puts the body.
declare module "hono" {
  interface ContextVariableMap {
    parsedBody: unknown;
  }
}

/** How the tests reach `createMcpHandler`: its own `fetch`, or mounted on Hono as the README shows. */
export type HttpMount = "handler" | "hono";

/** Stands in for real token verification: the bearer token is the principal's name. */
const authOf = (authorization: string | null | undefined): AuthInfo | undefined => {
  const principal = authorization?.replace(/^Bearer /, "");
  return principal ? { token: `token-${principal}`, clientId: principal, scopes: [] } : undefined;
};

/** `createMcpHandler` over `factory`, reached through an in-process fetch as `principal`. */
export function httpEndpoint(factory: McpServerFactory, mount: HttpMount = "handler") {
  const handler = createMcpHandler(factory);
  const url = new URL("http://127.0.0.1/mcp");
  const app = createMcpHonoApp();
  app.all("/mcp", (c) =>
    handler.fetch(c.req.raw, { parsedBody: c.get("parsedBody"), authInfo: authOf(c.req.header("authorization")) }),
  );
  const serve = (request: Request) =>
    mount === "hono"
      ? app.fetch(request)
      : handler.fetch(request, { authInfo: authOf(request.headers.get("authorization")) });

  /** A fetch that adds the Host header Node's Request leaves out, and the principal's bearer token. */
  const fetchAs =
    (principal: string) =>
    (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      const headers = new Headers(request.headers);
      headers.set("host", url.host);
      headers.set("authorization", `Bearer ${principal}`);
      return Promise.resolve(serve(new Request(request, { headers })));
    };

  /** Raw 2026-era requests over HTTP, with the routing headers the transport requires. */
  const sendAs =
    (principal: string): SendRaw =>
    async (request) => {
      const name = request.params.taskId ?? request.params.name;
      const response = await fetchAs(principal)(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": MODERN,
          "mcp-method": request.method,
          ...(typeof name === "string" ? { "mcp-name": name } : {}),
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, ...request }),
      });
      return (await response.json()) as RpcResponse;
    };

  /** A v2 Client over Streamable HTTP; `pin` selects the 2026 era, else the legacy handshake. */
  const connectAs = async (principal: string, pin: boolean) => {
    const client = new Client(clientInfo, pin ? { versionNegotiation: { mode: { pin: MODERN } } } : {});
    await client.connect(new StreamableHTTPClientTransport(url, { fetch: fetchAs(principal) }));
    return client;
  };

  /** An ext-tasks session for `principal` over HTTP. */
  const sessionAs = async (principal: string) => {
    const client = await connectAs(principal, true);
    const session = taskSession(client, sendAs(principal));
    const close = async () => {
      await session.close();
      await client.close();
    };
    return { client, session, close };
  };

  return { sendAs, connectAs, sessionAs };
}

/** A cache for one test, closed by the test. */
export function newCache(options: ConstructorParameters<typeof RefCache>[0] = {}): RefCache {
  return new RefCache({ name: "mcp-server-test", ...options });
}

/** The task id a `tools/call` answered with, or a failure naming what came back instead. */
export function taskIdOf(response: RpcResponse): string {
  if ("result" in response && response.result.resultType === "task") return response.result.taskId as string;
  throw new Error(`expected a task, got ${JSON.stringify(response)}`);
}

/** `tasks/get` until the task leaves `working`, as a client honouring nothing but the status would. */
export async function settledTask(send: SendRaw, taskId: string): Promise<RpcResponse> {
  for (;;) {
    const response = await rawCall(send, "tasks/get", { taskId });
    if (!("result" in response) || response.result.status !== "working") return response;
  }
}

/** Runs what a test defers after it, newest first; call once per `describe`. */
export function deferAfterEach(): (cleanup: () => Promise<unknown>) => void {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => {
    cleanups.push(cleanup);
  };
}

/** A fresh cache and Work, a server over them and a connection from `connect`; all closed after the test. */
export async function connected<C extends { close(): Promise<unknown> }>(
  defer: (cleanup: () => Promise<unknown>) => void,
  connect: (factory: () => McpServer) => Promise<C>,
) {
  const cache = newCache();
  const work = new Work();
  defer(() => cache.close());
  const connection = await connect(serverFactory(cache, work));
  defer(() => connection.close());
  return { cache, work, ...connection };
}

/** A JSON-RPC message read off an SSE stream. */
export interface Frame {
  method?: string;
  id?: unknown;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

/** Reads SSE `data:` frames off a response body as JSON-RPC messages, until the stream ends. */
export async function* frames(response: Response): AsyncGenerator<Frame> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice(6))
        .join("\n");
      if (data !== "") yield JSON.parse(data) as Frame;
      end = buffer.indexOf("\n\n");
    }
  }
}

/**
 * A JSON-RPC POST of `method` to an MCP HTTP handler, as a client without a session sends it (the 2026
 * envelope in `_meta`). `transportHeaders` adds the 2026 transport's `mcp-protocol-version`, `mcp-method`
 * and, when `name` is given, `mcp-name`.
 */
export function postRpc(
  handler: { fetch(request: Request): Promise<Response> },
  method: string,
  params: Record<string, unknown>,
  options: { id?: number | string; transportHeaders?: boolean; name?: string | undefined } = {},
): Promise<Response> {
  const transport = options.transportHeaders
    ? {
        "mcp-protocol-version": MODERN,
        "mcp-method": method,
        ...(options.name === undefined ? {} : { "mcp-name": options.name }),
      }
    : {};
  return handler.fetch(
    new Request("http://127.0.0.1/mcp", {
      method: "POST",
      headers: {
        host: "127.0.0.1",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...transport,
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: options.id ?? 1,
        method,
        params: { ...params, _meta: envelope(true) },
      }),
    }),
  );
}
