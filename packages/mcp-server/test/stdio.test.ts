import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { describe, expect, it } from "vitest";
import { deferAfterEach, MODERN } from "./harness.js";

/** A cold child process running TypeScript through tsx takes seconds on a busy machine. */
const CHILD_PROCESS_TEST_TIMEOUT_MS = 60_000;
const fixture = fileURLToPath(new URL("./fixtures/stdio-server.ts", import.meta.url));

describe("over stdio with serveStdio (a real child process)", () => {
  const defer = deferAfterEach();

  it.each([
    ["2025-era", {}],
    ["2026-era", { versionNegotiation: { mode: { pin: MODERN } } }],
  ] as const)(
    "a %s client gets fast calls inline and slow ones through the polling tools",
    async (_era, options) => {
      const client = new Client({ name: "stdio-test", version: "1.0.0" }, options);
      await client.connect(new StdioClientTransport({ command: process.execPath, args: ["--import", "tsx", fixture] }));
      defer(() => client.close());

      const fast = await client.callTool({ name: "sleepy", arguments: { ms: 0 } });
      expect(fast.structuredContent).toEqual({ sleptMs: 0 });

      const pending = await client.callTool({ name: "sleepy", arguments: { ms: 300 } });
      const refId = (pending.structuredContent as { refId: string; status: string }).refId;
      expect(pending.structuredContent).toMatchObject({ status: "working" });
      let status = "working";
      while (status === "working") {
        const answer = await client.callTool({ name: "get_task_status", arguments: { refId } });
        status = (answer.structuredContent as { status: string }).status;
      }
      const result = await client.callTool({ name: "get_cached_result", arguments: { refId } });
      expect(result.structuredContent).toEqual({ refId, status: "completed", value: { sleptMs: 300 } });
    },
    CHILD_PROCESS_TEST_TIMEOUT_MS,
  );
});
