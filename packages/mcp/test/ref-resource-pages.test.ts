import { oddKeysValue, type ResourceContent, readAllRefResource } from "@mcp-refcache/core/testing";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { connectWithTool } from "./helpers.js";

const call = (client: Client, args: Record<string, unknown> = {}) =>
  client.callTool({ name: "make", arguments: args }, CallToolResultSchema);
const json = (r: { contents: unknown[] }) => JSON.parse((r.contents[0] as { text: string }).text);

describe("reference resources (SDK v1)", () => {
  it("a custom template with text after {refId} serves its own nextUri", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({ i, s: `row ${i}` }));
    // Refused when set up, or every URI it hands out is readable: never a nextUri the server then refuses.
    let client: Client;
    try {
      ({ client } = await connectWithTool(() => ({ rows }), {
        resources: { uriTemplate: "app://values/{refId}.json" },
      }));
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

/** The first content of `resources/read` of `uri`, as the SDK v1 client hands it back. */
const readFirst = (client: Client) => async (uri: string) =>
  (await client.readResource({ uri })).contents[0] as ResourceContent;

describe("reference resources, paged under odd keys (SDK v1)", () => {
  it("every URI handed out is read, and the pages join to the value", async () => {
    const { client } = await connectWithTool(oddKeysValue, { resources: true }, { valueBudget: { maxChars: 300 } });
    const big = await call(client);
    const link = (big.content as { type: string; uri?: string }[]).find((c) => c.type === "resource_link");
    expect(await readAllRefResource(readFirst(client), link?.uri as string)).toEqual(oddKeysValue());
  });

  it("pages within ?maxChars= through the SDK's template match, every URI handed out keeping it", async () => {
    const { client } = await connectWithTool(oddKeysValue, { resources: true }, { valueBudget: { maxChars: 300 } });
    const link = ((await call(client)).content as { type: string; uri?: string }[]).find(
      (c) => c.type === "resource_link",
    );
    const read = readFirst(client);
    const sized = async (uri: string) => {
      const content = await read(uri);
      const page = JSON.parse(content.text as string) as { value: unknown; chars: number; nextUri?: string };
      // Within it, but for a page whose one key leaves its value too little (keys are never cut).
      if (page.chars > 120) expect(Object.keys(page.value as object)).toHaveLength(1);
      if (page.nextUri !== undefined) expect(page.nextUri).toMatch(/[?&]maxChars=120(&|$)/);
      return content;
    };
    expect(await readAllRefResource(sized, `${link?.uri}?maxChars=120`)).toEqual(oddKeysValue());
  });
});
