import { InMemoryTaskStore } from "@modelcontextprotocol/sdk/experimental/tasks";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { refCacheServerOptions, withRefCache } from "../src/index.js";
import { textOf, until, useFixtures } from "./helpers.js";

describe("bad input", () => {
  const fixtures = useFixtures();

  it("gets clear isError results for missing, ill-typed, huge or unknown arguments and unknown tools; nothing changes", async () => {
    const cache = fixtures.cache();
    const { client, work } = await fixtures.connect(cache);
    const running = (await client.callTool({ name: "slow", arguments: { quarter: "Q1" } })).structuredContent as {
      refId: string;
    };
    const done = (await client.callTool({ name: "add", arguments: { a: 1, b: 2 } })).structuredContent;
    const before = await cache.queryTasks({});

    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["get_task_status", {}, /refId/],
      ["get_task_status", { refId: 42 }, /refId/],
      ["get_cached_result", { refId: "x".repeat(100_000) }, /at most 256/],
      ["cancel_task", { refId: "../../etc" }, /may only hold letters/],
      ["get_cached_result", { refId: running.refId, page: 2 }, /page/],
      ["slow", { quarter: 5 }, /quarter/],
      ["no_such_tool", {}, /Tool no_such_tool not found/],
    ];
    for (const [name, args, message] of cases) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, `${name} ${JSON.stringify(args).slice(0, 40)}`).toBe(true);
      expect(textOf(result)).toMatch(message);
    }
    await expect(client.experimental.tasks.getTask("x".repeat(100_000))).rejects.toThrow(/Task not found/);

    expect(work.runs).toBe(1);
    expect(await cache.queryTasks({})).toEqual(before);
    expect(work.aborted).toBeUndefined();
    expect(done).toEqual({ sum: 3 });
    work.stepGate.resolve();
    work.gate.resolve();
    await until(async () => (await cache.getTask(running.refId))?.status === "complete");
  });

  it("fails a tool whose handler returns something that is not JSON data, with a message naming it", async () => {
    const { client, tools } = await fixtures.connect(fixtures.cache());
    tools.registerTool("dated", { timeoutMs: 1000 }, () => ({ when: new Date(0) }));
    const result = await client.callTool({ name: "dated", arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/failed: .*when/);
  });

  it("rejects bad options with errors naming them", () => {
    const cache = fixtures.cache();
    const server = () => new McpServer({ name: "s", version: "1" });
    expect(() => withRefCache(server(), cache, { timeoutMs: -1 })).toThrow(/withRefCache options: timeoutMs/);
    expect(() => withRefCache(server(), cache, { names: { status: "cancel_task" } })).toThrow(/distinct names/);
    expect(() => withRefCache(server(), cache, { owner: "me" as never })).toThrow(/owner must be a function/);
    const tools = withRefCache(server(), cache);
    expect(() => tools.registerTool("t", { timeoutMs: 1.5 }, () => 1)).toThrow(/options of tool "t": timeoutMs/);
    const foreign = new McpServer({ name: "s", version: "1" }, { taskStore: new InMemoryTaskStore() });
    expect(() => withRefCache(foreign, cache)).toThrow(/refCacheServerOptions/);
    const other = new McpServer({ name: "s", version: "1" }, refCacheServerOptions(fixtures.cache()));
    expect(() => withRefCache(other, cache)).toThrow(/not this cache's/);
    expect(() => tools.registerTool("u", { inputSchema: { n: z.number() } }, ({ n }) => n)).not.toThrow();
  });
});
