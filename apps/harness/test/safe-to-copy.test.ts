/**
 * The harness is safe to copy: foreign Host/Origin headers get 403 on every route, `/mcp-v1` frees what a
 * request without a session built and expires idle sessions, one owner rule holds on every route (a
 * reconnecting client follows its reference; nobody lists; server-only entries stay hidden), a flood of
 * slow calls meets `maxActiveTasks`, and `--port ""` is refused.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { RefCache } from "@mcp-refcache/core";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { createHarnessApp, type HarnessApp } from "../src/app.js";
import { type RunningServer, startServer } from "../src/server.js";
import { createHarnessCache, DEFAULT_MAX_ACTIVE_TASKS, type HarnessOptions, wholeNumber } from "../src/settings.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** Counts the cache's live change listeners. */
function countListeners(cache: RefCache): () => number {
  let live = 0;
  const subscribe = cache.onTaskChange.bind(cache);
  cache.onTaskChange = (listener) => {
    live++;
    const unsubscribe = subscribe(listener);
    let done = false;
    return () => {
      if (!done) live--;
      done = true;
      unsubscribe();
    };
  };
  return () => live;
}

function harnessFor(options: HarnessOptions = {}, maxActiveTasks?: number) {
  const cache = createHarnessCache({}, maxActiveTasks);
  const listeners = countListeners(cache);
  const harness = createHarnessApp(cache, options);
  cleanups.push(
    () => cache.close(),
    () => harness.close(),
  );
  return { cache, harness, listeners };
}

async function serve(harness: HarnessApp): Promise<RunningServer> {
  const server = await startServer(harness.app, 0);
  cleanups.push(() => server.close());
  return server;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`${what} never held`);
}

const JSON_RPC = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const toolsList = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });

describe("Host and Origin", () => {
  const routes = [
    ["GET", "/"],
    ["GET", "/live"],
    ["POST", "/mcp"],
    ["POST", "/mcp-v1"],
    ["GET", "/refcache/tasks/harness:x"],
    ["GET", "/refcache/refs/harness:x"],
    ["POST", "/demo/quick?text=hi"],
  ] as const;

  it("a foreign Host or Origin gets 403 on every route, before anything runs", async () => {
    const { harness, cache } = harnessFor();
    for (const [method, path] of routes) {
      const foreign: Record<string, string>[] = [
        { host: "evil.example" },
        { host: "127.0.0.1:3000", origin: "http://evil.example" },
      ];
      for (const headers of foreign) {
        const response = await harness.app.request(`http://127.0.0.1:3000${path}`, { method, headers });
        expect(response.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(((await response.json()) as { code: string }).code).toBe("FOREIGN_ORIGIN");
      }
    }
    expect(cache.listTasks()).toEqual([]);
    expect(harness.mcpV1Sessions).toBe(0);
  });

  it("localhost passes by default, and a deployed copy lists its own names", async () => {
    const local = harnessFor().harness;
    const page = await local.app.request("http://127.0.0.1:3000/", { headers: { host: "localhost:3000" } });
    expect(page.status).toBe(200);
    const deployed = harnessFor({ allowedHosts: ["refcache.example.com"] }).harness;
    const there = await deployed.app.request("https://refcache.example.com/", {
      headers: { host: "refcache.example.com", origin: "https://refcache.example.com" },
    });
    expect(there.status).toBe(200);
    expect((await deployed.app.request("http://127.0.0.1/", { headers: { host: "localhost" } })).status).toBe(403);
  });
});

describe("the live page's stream", () => {
  it("ends with its request: HEAD requests and clients that go away leave no listener", async () => {
    const { harness, listeners } = harnessFor();
    const server = await serve(harness);
    for (let i = 0; i < 200; i++) {
      const response = await fetch(`${server.url}/live`, { method: "HEAD" });
      expect(response.status).toBe(200);
    }
    expect(listeners()).toBe(0);
    const gone = new AbortController();
    const open = await fetch(`${server.url}/live`, { signal: gone.signal });
    expect(open.status).toBe(200);
    await until(() => listeners() === 1, "the stream's listener");
    gone.abort();
    await until(() => listeners() === 0, "the stream's end");
  }, 30_000);
});

describe("/mcp-v1 sessions", () => {
  it("500 requests without a session leave no server, session or listener behind", async () => {
    const { harness, listeners } = harnessFor();
    for (let i = 0; i < 500; i++) {
      const response = await harness.app.request("http://127.0.0.1/mcp-v1", {
        method: "POST",
        headers: JSON_RPC,
        body: toolsList,
      });
      expect(response.status).toBe(400);
    }
    expect(listeners()).toBe(0);
    expect(harness.mcpV1Sessions).toBe(0);
  });

  it("a session whose client left without DELETE expires; a connected one stays", async () => {
    // Idle long enough that a loaded machine's handshake (initialize, then initialized and the GET stream)
    // never looks idle; short enough that the left session expires well within `until`'s ten seconds.
    const { harness, listeners } = harnessFor({ sessionIdleMs: 1_500 });
    const server = await serve(harness);
    const connect = async (name: string) => {
      const client = new ClientV1({ name, version: "0.0.0" });
      await client.connect(new TransportV1(new URL(`${server.url}/mcp-v1`)));
      return client;
    };
    const gone = await connect("gone");
    const staying = await connect("staying");
    cleanups.push(() => staying.close());
    expect(harness.mcpV1Sessions).toBe(2);
    expect(listeners()).toBe(2);
    await gone.close(); // drops its streams, sends no DELETE
    await until(() => harness.mcpV1Sessions === 1, "the left session's expiry");
    expect(listeners()).toBe(1);
    const answer = await staying.callTool({ name: "quick", arguments: { text: "still here" } });
    expect(answer.structuredContent).toMatchObject({ echo: "still here" });
  });
});

describe("one owner rule on every route", () => {
  it("a client on a new session follows its reference; nobody lists; server-only entries stay hidden", async () => {
    const { harness, cache } = harnessFor();
    const server = await serve(harness);
    const first = new ClientV1({ name: "first", version: "0.0.0" });
    await first.connect(new TransportV1(new URL(`${server.url}/mcp-v1`)));
    const pending = await first.callTool({ name: "slow_count", arguments: { to: 2, delayMs: 1_500 } });
    const refId = (pending.structuredContent as { refId: string }).refId;
    await first.close();

    // Reconnected — on the other SDK line, even: the same (anonymous) owner follows the same reference.
    const again = new ClientV2({ name: "again", version: "0.0.0" });
    await again.connect(new TransportV2(new URL(`${server.url}/mcp`)));
    cleanups.push(() => again.close());
    await cache.waitForTask(refId, { timeoutMs: 10_000 });
    const result = await again.callTool({ name: "get_cached_result", arguments: { refId } });
    expect(result.structuredContent).toMatchObject({ status: "completed", value: { count: 2 } });
    expect((await fetch(`${server.url}/refcache/refs/${refId}`)).status).toBe(200);

    const list = await fetch(`${server.url}/refcache/tasks`);
    expect(list.status).toBe(403);

    await cache.registerTask("nightly-report", async () => ({ revenue: 42 }));
    await cache.waitForTask("nightly-report", { timeoutMs: 5000 });
    await cache.set("internal:db", { password: "hunter2" });
    for (const id of ["nightly-report", "internal:db"]) {
      expect((await fetch(`${server.url}/refcache/refs/${id}`)).status).toBe(404);
      expect((await fetch(`${server.url}/refcache/tasks/${id}`)).status).toBe(404);
      const status = await again.callTool({ name: "get_task_status", arguments: { refId: id } });
      expect(status.isError).toBe(true);
    }
  }, 30_000);
});

describe("limits", () => {
  it("a flood of slow calls meets maxActiveTasks: 429 with Retry-After over HTTP, isError over MCP", async () => {
    const { harness, cache } = harnessFor();
    expect(cache.maxActiveTasks).toBe(DEFAULT_MAX_ACTIVE_TASKS);
    const slow = () => harness.app.request("http://127.0.0.1/demo/slow-count?to=600&delayMs=60000", { method: "POST" });
    const accepted = await Promise.all(Array.from({ length: DEFAULT_MAX_ACTIVE_TASKS }, slow));
    expect(accepted.map((r) => r.status)).toEqual(accepted.map(() => 202));
    const refused = await slow();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).not.toBeNull();
    expect(((await refused.json()) as { code: string }).code).toBe("CAPACITY_EXCEEDED");

    const server = await serve(harness);
    const client = new ClientV2({ name: "flood", version: "0.0.0" });
    await client.connect(new TransportV2(new URL(`${server.url}/mcp`)));
    cleanups.push(() => client.close());
    const answer = await client.callTool({ name: "slow_count", arguments: { to: 600, delayMs: 60_000 } });
    expect(answer.isError).toBe(true);
    expect(JSON.stringify(answer.content)).toMatch(/busy/i);
  }, 30_000);

  it('refuses --port "" and other non-numbers instead of taking a random port', () => {
    expect(wholeNumber("")).toBeUndefined();
    expect(wholeNumber(" ")).toBeUndefined();
    expect(wholeNumber("3e3")).toBeUndefined();
    expect(wholeNumber("-1")).toBeUndefined();
    expect(wholeNumber("0")).toBe(0);
    expect(wholeNumber("3000")).toBe(3000);
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const run = spawnSync(process.execPath, ["--import", "tsx", main, "--serve", "--port", ""], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--port must be a whole number");
  }, 30_000);
});
