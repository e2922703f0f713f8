import { refResourceUri } from "@mcp-refcache/core/mcp";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { connectWithTool } from "./helpers.js";

const arr = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}-xxxxxxxxxx`);

describe("get_cached_result and resources/read on odd inputs (SDK v1)", () => {
  it("answers odd arguments and URIs with tool errors or -32602, never an internal error", async () => {
    const { client } = await connectWithTool(() => ({ plain: arr(50, "p"), "\ud800": arr(50, "s") }), undefined, {
      valueBudget: { maxChars: 300 },
    });
    const made = await client.callTool({ name: "make", arguments: {} }, CallToolResultSchema);
    const refId = (made.structuredContent as { refId: string }).refId;
    const out: string[] = [];
    const tool = async (label: string, args: Record<string, unknown>) => {
      try {
        const r = await client.callTool(
          { name: "get_cached_result", arguments: { refId, ...args } },
          CallToolResultSchema,
        );
        out.push(`${label}: ${r.isError ? "isError " : "ok "}${JSON.stringify(r.content).slice(0, 160)}`);
      } catch (e) {
        out.push(`${label}: THROW ${(e as { code?: number }).code} ${String(e).slice(0, 160)}`);
      }
    };
    for (const m of [0, 63, 64, 2 ** 31, 2 ** 31 - 1, 1e300, -1, 64.5, "100", null, true])
      await tool(`maxChars=${m}`, { maxChars: m });
    await tool("cursor huge", { cursor: "a".repeat(100_000) });
    await tool("cursor empty", { cursor: "" });
    await tool("cursor fake", { cursor: "v1.x.0.IiI" });
    await tool("path long", { path: "/a".repeat(5000) });
    await tool("path lone", { path: "/\ud800" });
    await tool("path /plain/-", { path: "/plain/-" });
    await tool("full+cursor", { full: true, path: "" });
    await tool("full", { full: true });
    await tool("refId bad", { refId: "../x" });
    await tool("extra", { extra: 1 });
    const res = async (label: string, uri: string) => {
      try {
        const r = await client.readResource({ uri });
        out.push(`R ${label}: ok ${JSON.stringify(r.contents).slice(0, 120)}`);
      } catch (e) {
        out.push(`R ${label}: THROW ${(e as { code?: number }).code} ${String(e).slice(0, 160)}`);
      }
    };
    const base = refResourceUri(refId);
    await res("plain", base);
    await res("cursor huge", `${base}?cursor=${"a".repeat(100_000)}`);
    await res("cursor fake", `${base}?cursor=v1.x.0.IiI`);
    await res("path long", `${base}?path=${"%2Fa".repeat(5000)}`);
    await res("path lone", `${base}?path=%2F%ED%A0%80`);
    await res("path bad pct", `${base}?path=%`);
    await res("uri 2MB", `${base}?path=${"a".repeat(2_000_000)}`);
    await res("id bad pct", "refcache://refs/%E0%A4%A");
    await res("id slash", "refcache://refs/a/b");
    await res("query maxChars", `${base}?maxChars=64`);

    // Only the SDK's own URI length check (over 1,000,000 characters) answers -32603.
    expect(out.filter((l) => / -32603 |THROW undefined/.test(l) && !/exceeds maximum length/.test(l))).toEqual([]);
  });
});
