import { RefCache } from "@mcp-refcache/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarnessApp, type HarnessApp } from "../src/app.js";
import { type DemoOutcome, httpDemo, mcpDemo, reconnectDemo } from "../src/demo.js";
import { PortInUseError, type RunningServer, startServer } from "../src/server.js";
import { makeBigTable, storeDemoSecret } from "../src/tools.js";

let cache: RefCache;
let harness: HarnessApp;
let server: RunningServer;

beforeAll(async () => {
  cache = new RefCache({ name: "harness" });
  await storeDemoSecret(cache);
  harness = createHarnessApp(cache);
  server = await startServer(harness.app, 0);
});
afterAll(async () => {
  await server.close();
  await harness.close();
  await cache.close();
});

/** The demo's outcomes, checked as a user would read the summary. */
function expectScenarios(outcomes: DemoOutcome[], bigTableImmediate: "preview" | "complete" = "preview") {
  expect(outcomes.map((o) => [o.scenario, o.immediate, o.status])).toEqual([
    ["inline answer", "complete", "complete"],
    ["slow count", "pending", "complete"],
    ["failure", "pending", "failed"],
    ["cancel", "pending", "cancelled"],
    ["big table", bigTableImmediate, "complete"],
  ]);
  const [inline, count, failure, cancel, big] = outcomes;
  // 50,000 rows (~2 MB of JSON) read back exactly, in pages no larger than the default budget + envelope.
  expect(big?.bigTable).toMatchObject({ exact: true, totalChars: JSON.stringify(makeBigTable(50_000)).length });
  expect(big?.bigTable?.previewChars).toBeLessThanOrEqual(20_000);
  expect(big?.bigTable?.pages).toBeGreaterThan(100);
  expect(big?.bigTable?.largestAnswerChars).toBeLessThanOrEqual(20_000 + 1_000);
  // The same 50,000 rows passed by reference to the next tool: summed exactly, never in an answer.
  const references = big?.references;
  expect(references).toMatchObject({ count: 50_000, secretRefused: true });
  expect(references?.sum).toBe(references?.expectedSum);
  expect(references?.largestAnswerChars).toBeLessThan(500);
  if (bigTableImmediate === "preview") {
    expect(references?.secretUsed).toBe(true);
    // The answer's resource_link reads back as the same table (its first rows).
    expect(references?.resourceRead).toBe(true);
  }
  expect(inline?.value).toMatchObject({ echo: "hello", length: 5 });
  expect(JSON.stringify(count?.value)).toContain('"count":6');
  expect(count?.progress.at(-1)).toBe(100);
  expect(count?.progress).toEqual([...(count?.progress ?? [])].sort((a, b) => a - b));
  expect(failure?.error).toContain("upstream service failed at step 3 of 6");
  expect(cancel?.error).toContain("cancel");
}

describe("the scripted demo over real HTTP on a random port", () => {
  it("through MCP with the SDK v2 client at /mcp", async () => {
    expectScenarios(await mcpDemo(server.url, "v2", () => {}));
  }, 30_000);

  it("through MCP with the SDK v1 client at /mcp-v1", async () => {
    expectScenarios(await mcpDemo(server.url, "v1", () => {}));
  }, 30_000);

  it("a client that reconnects (new session, other SDK line) follows its reference to the value", async () => {
    const outcome = await reconnectDemo(server.url, () => {});
    expect(outcome).toMatchObject({ scenario: "reconnect", status: "complete" });
    expect(JSON.stringify(outcome.value)).toContain('"count":4');
  }, 30_000);

  it("through plain HTTP: 200, or 202 + Location, SSE, DELETE", async () => {
    expectScenarios(await httpDemo(server.url, () => {}), "complete");
  }, 30_000);

  it("answers bad demo input with 400 problem+json and starts nothing", async () => {
    const before = (await cache.queryTasks({ limit: 1000 })).tasks.length;
    const response = await fetch(new URL("/demo/slow-count?to=-5", server.url), { method: "POST" });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect((await cache.queryTasks({ limit: 1000 })).tasks.length).toBe(before);
  });

  it("serves the live page and streams every task on /live", async () => {
    const page = await fetch(new URL("/", server.url));
    expect(await page.text()).toContain("mcp-refcache harness");
    const controller = new AbortController();
    const live = await fetch(new URL("/live", server.url), { signal: controller.signal });
    expect(live.headers.get("content-type")).toContain("text/event-stream");
    const reader = (live.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    await fetch(new URL("/demo/quick?text=live", server.url), { method: "POST" });
    let text = "";
    while (!text.includes('"echo"') && !text.includes("event: task")) text += (await reader.read()).value ?? "";
    expect(text).toContain("event: task");
    controller.abort();
  });

  it("answers POST /demo/big-table with the whole table and a Content-Location to it, bad rows with 400", async () => {
    const response = await fetch(new URL("/demo/big-table?rows=3", server.url), { method: "POST" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      rows: [
        { id: 0, name: "row 0", score: 0 },
        { id: 1, name: "row 1", score: 7 },
        { id: 2, name: "row 2", score: 14 },
      ],
    });
    const location = response.headers.get("content-location") as string;
    expect(location).toMatch(/^\/refcache\/refs\//);
    expect(await (await fetch(new URL(location, server.url))).json()).toEqual(makeBigTable(3));
    for (const rows of ["0", "200001", "1.5", "lots"]) {
      const bad = await fetch(new URL(`/demo/big-table?rows=${rows}`, server.url), { method: "POST" });
      expect(bad.status, rows).toBe(400);
    }
  });

  it("refuses a port that is taken with a clear error", async () => {
    const port = Number(new URL(server.url).port);
    await expect(startServer(harness.app, port)).rejects.toBeInstanceOf(PortInUseError);
  });
});

describe("stores", () => {
  it("a REDIS_URL nobody answers on is a clear error", async () => {
    const { createStores, RedisUnreachableError } = await import("../src/stores.js");
    await expect(createStores("redis://127.0.0.1:1")).rejects.toBeInstanceOf(RedisUnreachableError);
  }, 10_000);
});
