/**
 * resources/read with the real SDK v2 client over HTTP: every nextUri and partialUri a page hands out reads
 * back, for keys of any length and kind, and a template with text after {refId} is refused at setup.
 */
import type { RefCache } from "@mcp-refcache/core";
import { oddKeysValue, type ResourceContent, readAllRefResource } from "@mcp-refcache/core/testing";
import type { Client } from "@modelcontextprotocol/client";
import { McpServer } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { type RefCacheServerOptions, withRefCache } from "../src/index.js";
import { connectLegacy, deferAfterEach, httpEndpoint, newCache } from "./harness.js";

function factory(cache: RefCache, value: () => unknown, options: RefCacheServerOptions) {
  return (): McpServer => {
    const server = new McpServer({ name: "refs", version: "1.0.0" }, { capabilities: { tools: {}, resources: {} } });
    const tools = withRefCache(server, cache, { pollIntervalMs: 50, ...options });
    tools.registerTool("make", { inputSchema: z.object({}) }, async () => value());
    return server;
  };
}
const json = (r: { contents: unknown[] }) => JSON.parse((r.contents[0] as { text: string }).text);

/** The first content of `resources/read` of `uri`, as the SDK v2 client hands it back. */
const readFirst = (client: Client) => async (uri: string) =>
  (await client.readResource({ uri })).contents[0] as ResourceContent;

describe("reference resources, paged (SDK v2)", () => {
  const defer = deferAfterEach();
  it("a custom template with text after {refId} serves its own nextUri", async () => {
    const cache = newCache({ valueBudget: { maxChars: 2_000 } });
    defer(() => cache.close());
    const rows = Array.from({ length: 3000 }, (_, i) => ({ i, s: `row ${i}` }));
    const make = factory(cache, () => ({ rows }), { resources: { uriTemplate: "app://values/{refId}.json" } });
    // Refused when set up, or every URI it hands out is readable: never a nextUri the server then refuses.
    try {
      make();
    } catch (error) {
      expect(String(error)).toMatch(/end with \{refId\}/);
      return;
    }
    const { client, close } = await connectLegacy(make);
    defer(close);
    const big = await client.callTool({ name: "make", arguments: {} });
    const link = (big.content as { type: string; uri?: string }[]).find((c) => c.type === "resource_link");
    const first = json(await client.readResource({ uri: link?.uri as string }));
    const part = json(await client.readResource({ uri: first.partialUris[0] }));
    const next = json(await client.readResource({ uri: part.nextUri }));
    expect(next.offset).toBeGreaterThan(0);
  });

  it.each([false, true])("keys of any length and kind page back whole over HTTP (pin %s)", async (pin) => {
    const cache = newCache({ valueBudget: { maxChars: 300 } });
    defer(() => cache.close());
    const http = httpEndpoint(factory(cache, oddKeysValue, { resources: true }));
    const alice = await http.connectAs("alice", pin);
    defer(() => alice.close());
    const big = await alice.callTool({ name: "make", arguments: {} });
    const link = (big.content as { type: string; uri?: string }[]).find((c) => c.type === "resource_link");
    expect(await readAllRefResource(readFirst(alice), link?.uri as string)).toEqual(oddKeysValue());
  });
});
