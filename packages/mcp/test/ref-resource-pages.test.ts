/**
 * resources/read and get_cached_result with the real SDK v1 client: every nextUri and partialUri a page
 * hands out reads back, for keys of any length and kind, and a template with text after {refId} is
 * refused at setup.
 */
import { RefCache } from "@mcp-refcache/core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { refCacheServerOptions, type WithRefCacheOptions, withRefCache } from "../src/index.js";
import { jsonWire } from "./helpers.js";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => {});
});

async function setup(value: () => unknown, options: WithRefCacheOptions = { resources: true }, cacheOpts = {}) {
  const cache = new RefCache({ name: "atk", ...cacheOpts });
  const server = new McpServer({ name: "t", version: "1" }, refCacheServerOptions(cache, options));
  const tools = withRefCache(server, cache, options);
  tools.registerTool("make", { description: "makes", inputSchema: { n: z.number().optional() } }, async () => value());
  const [ct, st] = InMemoryTransport.createLinkedPair();
  jsonWire(st);
  const client = new Client({ name: "c", version: "1" });
  await server.connect(st);
  await client.connect(ct);
  closers.push(
    () => cache.close(),
    () => client.close(),
    () => server.close(),
  );
  return { cache, client };
}

const call = (client: Client, args: Record<string, unknown> = {}) =>
  client.callTool({ name: "make", arguments: args }, CallToolResultSchema);
const json = (r: { contents: unknown[] }) => JSON.parse((r.contents[0] as { text: string }).text);

describe("reference resources (SDK v1)", () => {
  it("a custom template with text after {refId} serves its own nextUri", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ i, s: `row ${i}` }));
    // Refused when set up, or every URI it hands out is readable: never a nextUri the server then refuses.
    let client: Client;
    try {
      ({ client } = await setup(() => ({ rows }), { resources: { uriTemplate: "app://values/{refId}.json" } }));
    } catch (error) {
      expect(String(error)).toMatch(/end with \{refId\}/);
      return;
    }
    const big = await call(client);
    const link = (big.content as { type: string; uri?: string }[]).find((c) => c.type === "resource_link");
    const first = json(await client.readResource({ uri: link?.uri as string }));
    expect(first.partialUris).toBeDefined();
    const part = json(await client.readResource({ uri: first.partialUris[0] }));
    expect(part.nextUri).toBeDefined();
    const next = json(await client.readResource({ uri: part.nextUri }));
    expect(next.offset).toBeGreaterThan(0);
  });
});

/** Reads a value back through resources/read alone, following nextUri and partialUris; returns value and texts. */
async function readAllByUri(client: Client, uri: string, texts: string[]): Promise<unknown> {
  const pages: { path: string; value: unknown; partial?: string[]; partialUris?: string[] }[] = [];
  let next: string | undefined = uri;
  let first = true;
  while (next !== undefined) {
    const r = await client.readResource({ uri: next });
    const text = (r.contents[0] as { text: string }).text;
    texts.push(text);
    const body = JSON.parse(text);
    if (first && uri.indexOf("?") === -1 && !(body && typeof body === "object" && "version" in body && "chars" in body))
      return body;
    first = false;
    pages.push(body);
    next = body.nextUri;
  }
  const v0 = pages[0]?.value;
  let whole: unknown;
  if (Array.isArray(v0)) whole = pages.flatMap((p) => p.value as unknown[]);
  else if (typeof v0 === "string") whole = pages.map((p) => p.value).join("");
  else if (v0 && typeof v0 === "object") {
    const o: Record<string, unknown> = {};
    for (const p of pages)
      for (const [k, v] of Object.entries(p.value as object))
        Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    whole = o;
  } else whole = v0;
  for (const p of pages) {
    for (const [j, pointer] of (p.partial ?? []).entries()) {
      const last = pointer
        .slice(pointer.lastIndexOf("/") + 1)
        .replaceAll("~1", "/")
        .replaceAll("~0", "~");
      const inner = await readAllByUri(client, p.partialUris?.[j] as string, texts);
      Object.defineProperty(whole, last, { value: inner, enumerable: true, writable: true, configurable: true });
    }
  }
  return whole;
}

describe("reference resources, paged under odd keys (SDK v1)", () => {
  const arr = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}-xxxxxxxxxx`);
  const value = () => ({
    ["k".repeat(600)]: arr(40, "long"),
    "\ud800lone": arr(40, "surr"),
    "a/b~c%d+e&f=g#h?i j": arr(40, "odd"),
    "😀": { "\udc00": arr(30, "deep"), x: "y".repeat(500) },
    ["é".repeat(300)]: arr(30, "accent"),
    plain: arr(30, "plain"),
    ["k".repeat(9000)]: arr(20, "huge"),
  });
  it("every URI handed out is read, and the pages join to the value", async () => {
    const { client } = await setup(value, { resources: true }, { valueBudget: { maxChars: 300 } });
    const big = await call(client);
    const link = (big.content as { type: string; uri?: string }[]).find((c) => c.type === "resource_link");
    const texts: string[] = [];
    const back = await readAllByUri(client, link?.uri as string, texts);
    expect(back).toEqual(value());
  });
});
