/** Real SDK servers and clients wired over in-memory transports, and a tool set whose pace tests control. */

import { RefCache, type RefCacheOptions } from "@mcp-refcache/core";
import { type Deferred, deferred } from "@mcp-refcache/core/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { afterEach } from "vitest";
import { z } from "zod";
import { type RefCacheTools, refCacheServerOptions, type WithRefCacheOptions, withRefCache } from "../src/index.js";

export { type Deferred, deferred };

/** Waits until `check` holds (real timers), yielding between tries. */
export async function until(check: () => boolean | Promise<boolean>, what = "condition", tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${what} never held`);
}

/** What the `slow` tool of one test does; the test releases or fails it. */
export class SlowWork {
  readonly gate = deferred<void>();
  readonly started = deferred<string>();
  readonly stepGate = deferred<void>();
  aborted: unknown;
  runs = 0;
}

/** Registers `add` (instant), `slow` (waits for its gate, reports progress) and `broken` (fails once released). */
export function registerTestTools(tools: RefCacheTools, work: SlowWork): void {
  tools.registerTool(
    "add",
    { description: "Adds two numbers", inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({ sum: a + b }),
  );
  tools.registerTool(
    "slow",
    { description: "A slow report", inputSchema: { quarter: z.string() }, timeoutMs: 20 },
    async ({ quarter }, { signal, reportProgress, refId }) => {
      work.runs++;
      signal.addEventListener("abort", () => {
        work.aborted = signal.reason ?? true;
      });
      await reportProgress({ current: 1, total: 4, message: "step 1" });
      work.started.resolve(refId);
      await work.stepGate.promise;
      await reportProgress({ current: 2, total: 4, message: "step 2" });
      await Promise.race([
        work.gate.promise,
        new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))),
      ]);
      await reportProgress({ current: 4, total: 4, message: "done" });
      return { quarter, revenue: 42 };
    },
  );
  tools.registerTool("broken", { description: "Fails once released", timeoutMs: 20 }, async () => {
    await work.gate.promise;
    throw new Error("the database is down");
  });
}

/** Sends every server message through JSON, as a real wire would (drops `undefined` fields). */
export function jsonWire<T extends Transport>(transport: T): T {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(JSON.parse(JSON.stringify(message)), options);
  return transport;
}

/**
 * Makes every request `clientTransport` sends carry `clientId`'s auth, as a server behind an auth layer
 * would see it (the SDK's `authInfo`, where the owner rule finds the principal).
 */
export function authenticatedAs(clientTransport: InMemoryTransport, clientId: string): InMemoryTransport {
  const send = clientTransport.send.bind(clientTransport);
  clientTransport.send = (message, options) =>
    send(message, { ...options, authInfo: { token: clientId, clientId, scopes: [] } });
  return clientTransport;
}

export interface Connected {
  client: Client;
  server: McpServer;
  tools: RefCacheTools;
  work: SlowWork;
}

/** Closes every cache, client and server a test made. */
export function useFixtures() {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  });
  return {
    cache(options: RefCacheOptions = {}): RefCache {
      const cache = new RefCache({ name: "mcp", ...options });
      closers.push(() => cache.close());
      return cache;
    },
    /** A server over `cache` (native tasks unless `native: false`) and a client over an in-memory pair. */
    async connect(
      cache: RefCache,
      setup: {
        sessionId?: string;
        native?: boolean;
        options?: WithRefCacheOptions;
        work?: SlowWork;
        /** Every request carries this principal's auth (see `authenticatedAs`). */
        clientId?: string;
      } = {},
    ): Promise<Connected> {
      const options = setup.options ?? { pollIntervalMs: 50 };
      const server = new McpServer(
        { name: "test", version: "1.0.0" },
        setup.native === false ? {} : refCacheServerOptions(cache, options),
      );
      const tools = withRefCache(server, cache, options);
      const work = setup.work ?? new SlowWork();
      registerTestTools(tools, work);
      const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
      if (setup.sessionId !== undefined) serverTransport.sessionId = setup.sessionId;
      if (setup.clientId !== undefined) authenticatedAs(clientTransport, setup.clientId);
      jsonWire(serverTransport);
      const client = new Client(
        { name: "test-client", version: "1.0.0" },
        { capabilities: { tasks: { list: {}, cancel: {} } } },
      );
      await server.connect(serverTransport);
      await client.connect(clientTransport);
      closers.push(
        () => client.close(),
        () => server.close(),
      );
      return { client, server, tools, work };
    },
  };
}

/** The text of a tool result. */
export function textOf(result: object): string {
  return (((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[])
    .map((c) => c.text ?? "")
    .join("\n");
}

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

/**
 * A real SDK v1 client and server over an in-memory wire (JSON on the way, as a network would carry it)
 * with `withRefCache` and one tool, `make`, answering `value()`; all closed after the test.
 */
export async function connectWithTool(
  value: () => unknown,
  options: WithRefCacheOptions = { resources: true },
  cacheOptions: ConstructorParameters<typeof RefCache>[0] = {},
): Promise<{ cache: RefCache; client: Client }> {
  const cache = new RefCache({ name: "tool-test", ...cacheOptions });
  const server = new McpServer({ name: "t", version: "1" }, refCacheServerOptions(cache, options));
  const tools = withRefCache(server, cache, options);
  tools.registerTool("make", { description: "makes", inputSchema: { n: z.number().optional() } }, async () => value());
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  jsonWire(serverTransport);
  const client = new Client({ name: "c", version: "1" });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  closers.push(
    () => cache.close(),
    () => client.close(),
    () => server.close(),
  );
  return { cache, client };
}
