/**
 * References as resources with the real SDK v2 client over Streamable HTTP and two principals: the
 * template is listed, `resources/read` answers the whole value or pages (followed by their URIs back to the
 * value exactly), another principal's and an unknown reference read alike, execute-only is refused; a
 * store outage is -32603 and a bad cursor -32602 (core's JSON_RPC_ERROR_CODES, as the SDK v1 adapter answers).
 */
import { MemoryStore, type RefCache, type Store, StoreError } from "@mcp-refcache/core";
import { refResourceUri } from "@mcp-refcache/core/mcp";
import type { Client } from "@modelcontextprotocol/client";
import { McpServer } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { withRefCache } from "../src/index.js";
import { deferAfterEach, httpEndpoint, newCache } from "./harness.js";

function factory(cache: RefCache) {
  return (): McpServer => {
    const server = new McpServer({ name: "refs", version: "1.0.0" }, { capabilities: { tools: {}, resources: {} } });
    const tools = withRefCache(server, cache, { pollIntervalMs: 50, resources: true });
    tools.registerTool("big_table", { inputSchema: z.object({ rows: z.number().int() }) }, async ({ rows }) => ({
      rows: Array.from({ length: rows }, (_, id) => ({ id, name: `row ${id}` })),
    }));
    tools.registerTool("issue_key", { executeOnly: true }, async () => ({ apiKey: "sk-secret" }));
    return server;
  };
}

const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name, arguments: args });
const textOfRead = (read: { contents: unknown[] }) => (read.contents[0] as { text: string }).text;

describe.each([
  ["2025 protocol", false],
  ["2026-07-28 protocol", true],
])("references as resources over SDK v2 (%s)", (_label, pin) => {
  const defer = deferAfterEach();

  async function setup(store?: Store) {
    const cache = newCache({ valueBudget: { maxChars: 2_000 }, ...(store === undefined ? {} : { store }) });
    defer(() => cache.close());
    const http = httpEndpoint(factory(cache));
    const alice = await http.connectAs("alice", pin);
    const bob = await http.connectAs("bob", pin);
    defer(() => alice.close());
    defer(() => bob.close());
    return { cache, alice, bob };
  }

  it("list the template and read a small value whole, a large one page by page back to the value", async () => {
    const { alice } = await setup();
    const templates = await alice.listResourceTemplates();
    expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toEqual(["refcache://refs/{refId}"]);
    const small = (await call(alice, "big_table", { rows: 2 })).structuredContent as { rows: unknown[] };
    expect(small.rows).toHaveLength(2);
    const big = await call(alice, "big_table", { rows: 2_000 });
    const { refId } = big.structuredContent as { refId: string };
    const expected = Array.from({ length: 2_000 }, (_, id) => ({ id, name: `row ${id}` }));
    // The answer that hands back the reference links to it as a resource, with the value's size in bytes.
    const link = (big.content as { type: string }[]).find((c) => c.type === "resource_link");
    expect(link).toEqual({
      type: "resource_link",
      uri: refResourceUri(refId),
      name: refId,
      mimeType: "application/json",
      size: new TextEncoder().encode(JSON.stringify({ rows: expected })).length,
    });
    const first = JSON.parse(
      textOfRead(await alice.readResource({ uri: (link as unknown as { uri: string }).uri })),
    ) as {
      partialUris?: string[];
    };
    const rows: unknown[] = [];
    let uri = first.partialUris?.[0];
    while (uri !== undefined) {
      const read = await alice.readResource({ uri });
      expect((read.contents[0] as { mimeType: string }).mimeType).toBe("application/json");
      const page = JSON.parse(textOfRead(read)) as { value: unknown[]; nextUri?: string };
      rows.push(...page.value);
      uri = page.nextUri;
    }
    expect(rows).toEqual(expected);
  });

  it("read another principal's reference as an unknown one, and refuse an execute-only value", async () => {
    const { alice, bob } = await setup();
    const { refId } = (await call(alice, "big_table", { rows: 2_000 })).structuredContent as { refId: string };
    const refused = async (client: Client, uri: string) =>
      client.readResource({ uri }).then(
        () => "read",
        (error: Error) => error.message.replaceAll(uri, "<uri>"),
      );
    const foreign = await refused(bob, refResourceUri(refId));
    const unknown = await refused(bob, refResourceUri("never-stored"));
    expect(foreign).not.toBe("read");
    expect(foreign).toBe(unknown);
    const issued = await call(alice, "issue_key");
    const key = issued.structuredContent as { refId: string };
    // An execute-only answer links to its resource too, without a size.
    expect((issued.content as { type: string }[]).find((c) => c.type === "resource_link")).toEqual({
      type: "resource_link",
      uri: refResourceUri(key.refId),
      name: key.refId,
      mimeType: "application/json",
    });
    const secret = await refused(alice, refResourceUri(key.refId));
    expect(secret).toMatch(/execute-only/);
    expect(secret).not.toContain("sk-secret");
  });

  it("answer a read that meets a store outage -32603 and a bad cursor -32602, with core's code in data", async () => {
    const inner = new MemoryStore();
    const outage = { down: false };
    const store: Store = {
      get: (key) =>
        outage.down
          ? Promise.reject(new StoreError(`The store is unreachable reading "${key}"`, key, new Error("ECONNREFUSED")))
          : inner.get(key),
      set: (key, entry) => inner.set(key, entry),
      delete: (key) => inner.delete(key),
    };
    const { alice } = await setup(store);
    const { refId } = (await call(alice, "big_table", { rows: 2_000 })).structuredContent as { refId: string };
    const refusal = (uri: string) =>
      alice.readResource({ uri }).then(
        () => ({ answered: true }),
        (error: { code?: unknown; data?: unknown }) => ({ code: error.code, data: error.data }),
      );
    expect(await refusal(refResourceUri(refId, undefined, { cursor: "not-a-cursor" }))).toEqual({
      code: -32602,
      data: { code: "VALIDATION_ERROR" },
    });
    outage.down = true;
    expect(await refusal(refResourceUri(refId))).toEqual({ code: -32603, data: { code: "STORE_ERROR" } });
  });
});
