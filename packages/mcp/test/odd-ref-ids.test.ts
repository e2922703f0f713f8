/**
 * Ref ids with "-", "_", "." and ":" where base64url ids and users put them (leading, doubled, minted by
 * newRefId) read through `refcache://refs/{refId}` resources and get_cached_result with the real SDK v1 client.
 */
import { type RefCache, RefCache as RefCacheClass } from "@mcp-refcache/core";
import { refResourceUri } from "@mcp-refcache/core/mcp";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { refCacheServerOptions, withRefCache } from "../src/index.js";

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

/** A server over `cache` with the refcache tools and resources, and a client whose every request carries `clientId`'s auth. */
async function connect(cache: RefCache, clientId: string, native: boolean): Promise<Client> {
  const options = { pollIntervalMs: 50, resources: true };
  const server = new McpServer({ name: "refs", version: "1.0.0" }, native ? refCacheServerOptions(cache, options) : {});
  withRefCache(server, cache, options);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const send = clientTransport.send.bind(clientTransport);
  clientTransport.send = (message, sendOptions) =>
    send(message, { ...sendOptions, authInfo: { token: clientId, clientId, scopes: [] } });
  const client = new Client({ name: clientId, version: "1.0.0" });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  closers.push(
    () => client.close(),
    () => server.close(),
  );
  return client;
}

function makeCache(): RefCache {
  const cache = new RefCacheClass({ name: "refs", valueBudget: { maxChars: 2_000 } });
  closers.push(() => cache.close());
  return cache;
}

const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name, arguments: args }, CallToolResultSchema);

describe("odd ref ids over SDK v1", () => {
  it("odd-character ids read through resources and get_cached_result", async () => {
    const cache = makeCache();
    const alice = await connect(cache, "alice", false);
    const ids = [
      "refs:-abc",
      "refs:--",
      "refs:_x_",
      "refs:-_-_-_-_-_-_-_-_-_-_-",
      "a--b",
      "refs:a%2Fb",
      "refs:..",
      "refs:.",
      "refs:-%",
    ];
    const bad: string[] = [];
    for (const id of ids) {
      try {
        await cache.set(id, { id }, { owner: "auth:alice" });
      } catch {
        continue;
      }
      try {
        const read = JSON.parse(
          ((await alice.readResource({ uri: refResourceUri(id) })).contents[0] as { text: string }).text,
        );
        if (JSON.stringify(read).indexOf(JSON.stringify(id)) === -1)
          bad.push(`resource ${id}: ${JSON.stringify(read)}`);
      } catch (e) {
        bad.push(`resource ${id}: ${String(e)}`);
      }
      const got = await call(alice, "get_cached_result", { refId: id });
      if (got.isError || JSON.stringify(got).indexOf(JSON.stringify(id).slice(1, -1)) === -1)
        bad.push(`tool ${id}: ${JSON.stringify(got)}`);
    }
    for (let i = 0; i < 200; i++) {
      const id = cache.newRefId();
      await cache.set(id, { i }, { owner: "auth:alice" });
      try {
        const read = JSON.parse(
          ((await alice.readResource({ uri: refResourceUri(id) })).contents[0] as { text: string }).text,
        );
        if (JSON.stringify(read).indexOf(`"i":${i}`) === -1) bad.push(`minted ${id}: ${JSON.stringify(read)}`);
      } catch (e) {
        bad.push(`minted ${id}: ${String(e)}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
