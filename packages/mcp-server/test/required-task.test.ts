/**
 * `taskSupport: "required"` and protocol-level failures on the 2026-07-28 Tasks extension (SEP-2663):
 * a task-required tool always answers with a task to a client that declared the extension and `-32021`
 * to every other client; a handler that throws the SDK's ProtocolError ends its task `failed` with that
 * JSON-RPC error, while any other throw ends it `completed` with an `isError` result.
 */
import { McpServer, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { withRefCache } from "../src/index.js";
import {
  connectLegacy,
  connectModern,
  deferAfterEach,
  newCache,
  rawCall,
  settledTask,
  TASKS,
  taskIdOf,
  Work,
} from "./harness.js";

describe("a tool registered with taskSupport: required", () => {
  const defer = deferAfterEach();

  function factory() {
    const cache = newCache();
    defer(() => cache.close());
    const work = new Work();
    const build = (): McpServer => {
      const server = new McpServer({ name: "required-test", version: "1.0.0" });
      const tools = withRefCache(server, cache, { timeoutMs: 25, pollIntervalMs: 50 });
      tools.registerTool("quick", { inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
        echo: text,
      }));
      tools.registerTool(
        "must_task",
        { inputSchema: z.object({ text: z.string() }), taskSupport: "required", timeoutMs: 60_000 },
        async ({ text }) => ({ echo: text }),
      );
      tools.registerTool("protocol_failure", { inputSchema: z.object({ key: z.string() }) }, async ({ key }, c) => {
        await work.hold(key, c.signal);
        throw new ProtocolError(-32001, "upstream protocol failure");
      });
      return server;
    };
    const open = async <C extends { close(): Promise<unknown> }>(connect: (f: () => McpServer) => Promise<C>) => {
      const connection = await connect(build);
      defer(() => connection.close());
      return connection;
    };
    return { build, work, open };
  }

  it("answers a declaring client with a task even when the work is instant", async () => {
    const { open } = factory();
    const { send } = await open(connectModern);
    const created = await rawCall(send, "tools/call", { name: "must_task", arguments: { text: "hi" } });
    const taskId = taskIdOf(created);
    expect(created).toMatchObject({ result: { resultType: "task" } });
    expect(await settledTask(send, taskId)).toMatchObject({
      result: { status: "completed", result: { structuredContent: { echo: "hi" } } },
    });
  });

  it("refuses a 2026 client that did not declare the extension with -32021 naming it", async () => {
    const { open } = factory();
    const { send } = await open(connectModern);
    const response = await rawCall(send, "tools/call", { name: "must_task", arguments: { text: "hi" } }, false);
    expect(response).toMatchObject({
      error: {
        code: ProtocolErrorCode.MissingRequiredClientCapability,
        data: { requiredCapabilities: { extensions: { [TASKS]: {} } } },
      },
    });
    // Other tools are untouched by the check.
    expect(await rawCall(send, "tools/call", { name: "quick", arguments: { text: "x" } }, false)).toMatchObject({
      result: { structuredContent: { echo: "x" } },
    });
  });

  it("refuses a 2025-era client (SDK v2 Client, legacy handshake) with -32021", async () => {
    const { open } = factory();
    const { client } = await open(connectLegacy);
    await expect(client.callTool({ name: "must_task", arguments: { text: "hi" } })).rejects.toMatchObject({
      code: ProtocolErrorCode.MissingRequiredClientCapability,
    });
  });

  it("ends a task whose handler threw a ProtocolError failed, with that JSON-RPC error and no result", async () => {
    const { open, work } = factory();
    const { send } = await open(connectModern);
    const taskId = taskIdOf(await rawCall(send, "tools/call", { name: "protocol_failure", arguments: { key: "p" } }));
    work.release("p", null);
    const settled = await settledTask(send, taskId);
    expect(settled).toMatchObject({
      result: { status: "failed", error: { code: -32001, message: "upstream protocol failure" } },
    });
    expect((settled as { result: Record<string, unknown> }).result).not.toHaveProperty("result");
  });
});
