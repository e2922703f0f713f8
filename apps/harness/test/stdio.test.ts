import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { describe, expect, it } from "vitest";

describe("pnpm start -- --stdio", () => {
  it("serves the demo tools to a real MCP client over stdin/stdout", async () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const client = new Client({ name: "stdio-test", version: "0.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ["--import", "tsx", main, "--stdio"],
        stderr: "pipe",
      }),
    );
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(["quick", "slow_count", "get_task_status", "cancel_task"]));
      const answer = await client.callTool({ name: "quick", arguments: { text: "over stdio" } });
      expect(answer.structuredContent).toEqual({ echo: "over stdio", length: 10 });
      const pending = await client.callTool({ name: "slow_count", arguments: { to: 3, delayMs: 600 } });
      const refId = (pending.structuredContent as { refId: string }).refId;
      expect(refId).toMatch(/^harness:/);
      const cancelled = await client.callTool({ name: "cancel_task", arguments: { refId } });
      expect(cancelled.isError).not.toBe(true);
    } finally {
      await client.close();
    }
  }, 30_000);
});
