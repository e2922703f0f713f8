import { RefCacheError } from "@mcp-refcache/core";
import { McpServer } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { type RefCacheServerOptions, withRefCache } from "../src/index.js";
import { connectLegacy, deferAfterEach, newCache, serverFactory, Work } from "./harness.js";

const newServer = () => new McpServer({ name: "options-test", version: "1.0.0" });

/** Runs `action` and returns the RefCacheError it must throw. */
function validationErrorOf(action: () => unknown): RefCacheError {
  try {
    action();
  } catch (error) {
    if (RefCacheError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ValidationError, nothing was thrown");
}

describe("options of withRefCache and registerTool", () => {
  const defer = deferAfterEach();

  it.each([
    ["timeoutMs", { timeoutMs: -1 }],
    ["pollIntervalMs", { pollIntervalMs: 0 }],
    ["ttlMs", { ttlMs: 1.5 }],
    ["owner", { owner: "alice" }],
    ["names", { names: { status: "same", result: "same" } }],
    ["names", { names: { cancel: "has spaces" } }],
    ["surprise", { surprise: true }],
  ])("a bad %s is a ValidationError naming it", (field, options) => {
    const cache = newCache();
    defer(() => cache.close());
    const error = validationErrorOf(() => withRefCache(newServer(), cache, options as RefCacheServerOptions));
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.message).toContain(field === "names" ? "names" : field);
  });

  it("refuses what is not a server or a cache", () => {
    const cache = newCache();
    defer(() => cache.close());
    expect(validationErrorOf(() => withRefCache({} as McpServer, cache)).message).toContain("McpServer");
    expect(validationErrorOf(() => withRefCache(newServer(), {} as typeof cache)).message).toContain("RefCache");
  });

  it("refuses a bad tool registration and registers nothing", async () => {
    const cache = newCache();
    defer(() => cache.close());
    const server = newServer();
    const tools = withRefCache(server, cache);
    const schema = z.object({});
    expect(
      validationErrorOf(() => tools.registerTool("bad name!", { inputSchema: schema }, () => 1)).message,
    ).toContain("name");
    expect(
      validationErrorOf(() => tools.registerTool("ok", { inputSchema: schema }, "nope" as unknown as () => 1)).message,
    ).toContain("handler");
    expect(
      validationErrorOf(() => tools.registerTool("ok", { inputSchema: schema, timeoutMs: -5 }, () => 1)).message,
    ).toContain("timeoutMs");
    tools.registerTool("ok", { inputSchema: schema }, () => 1);
    expect(Object.keys((server as unknown as { _registeredTools: object })._registeredTools)).not.toContain(
      "bad name!",
    );
  });

  it("registers the polling tools under the names given, and the pending text uses them", async () => {
    const names = { status: "job_status", result: "job_result", cancel: "job_cancel" };
    const cache = newCache();
    defer(() => cache.close());
    const work = new Work();
    const renamed = await connectLegacy(serverFactory(cache, work, { names }));
    defer(renamed.close);
    const listed = (await renamed.client.listTools()).tools.map((tool) => tool.name);
    expect(listed).toEqual(expect.arrayContaining(Object.values(names)));
    expect(listed).not.toContain("get_task_status");
    const pending = await renamed.client.callTool({ name: "slow", arguments: { key: "n" } });
    expect((pending.content as { text: string }[])[0]?.text).toContain("job_status");
    work.release("n", 1);
  });
});
