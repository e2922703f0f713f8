/**
 * Ref ids with "-", "_", "." and ":" where base64url ids and users put them (leading, doubled, minted by
 * newRefId) read through `refcache://refs/{refId}` resources and get_cached_result with the real SDK v1 client.
 */
import { refResourceUri } from "@mcp-refcache/core/mcp";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { useFixtures } from "./helpers.js";

const fixtures = useFixtures();

const call = (client: Client, name: string, args: Record<string, unknown> = {}) =>
  client.callTool({ name, arguments: args }, CallToolResultSchema);

describe("odd ref ids over SDK v1", () => {
  it("odd-character ids read through resources and get_cached_result", async () => {
    const cache = fixtures.cache({ name: "refs", valueBudget: { maxChars: 2_000 } });
    const options = { pollIntervalMs: 50, resources: true };
    const { client: alice } = await fixtures.connect(cache, { clientId: "alice", native: false, options });
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
