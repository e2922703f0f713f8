/**
 * `@modelcontextprotocol/ext-tasks` (0.2.2) on the SDK v1 adapter. With its default task preference
 * ("allow") it calls an `optional` tool without a task and reports any answer as an immediate outcome,
 * so a pending reference must say it is not final where such a client looks: `_meta` carries the spec's
 * related-task key with the id to follow (and `structuredContent.status` is `working`). With
 * `preference: "prefer"` it gets a real 2025-11-25 task.
 */
import { ANONYMOUS_OWNER } from "@mcp-refcache/core";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { createTaskSessionFromClient, resultFromTaskOutcome } from "@modelcontextprotocol/ext-tasks/client";
import { taskId } from "@modelcontextprotocol/ext-tasks/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { describe, expect, it } from "vitest";
import { refCacheServerOptions, withRefCache } from "../src/index.js";
import { registerTestTools, SlowWork, useFixtures } from "./helpers.js";

describe("an ext-tasks session on the SDK v1 adapter", () => {
  const fixtures = useFixtures();

  async function session() {
    const cache = fixtures.cache();
    const work = new SlowWork();
    const options = { pollIntervalMs: 20 };
    const server = new McpServer({ name: "v1", version: "1.0.0" }, refCacheServerOptions(cache, options));
    registerTestTools(withRefCache(server, cache, options), work);
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    serverSide.sessionId = "ext-tasks-session";
    const send = serverSide.send.bind(serverSide);
    serverSide.send = (message, sendOptions) => send(JSON.parse(JSON.stringify(message)), sendOptions);
    await server.connect(serverSide as never);
    const client = new Client({ name: "ext-tasks-client", version: "1.0.0" });
    await client.connect(clientSide);
    const tasks = createTaskSessionFromClient(client, { endpointId: "v1-adapter" });
    const close = async () => {
      await tasks.close();
      await client.close();
    };
    return { tasks, work, cache, close };
  }

  it("with the default preference, gets a pending reference that says in _meta it is not final", async () => {
    const { tasks, work, cache, close } = await session();
    try {
      const execution = await tasks.callTool("slow", { quarter: "Q3" });
      expect(execution.kind).toBe("immediate");
      const { outcome } = await execution.settle();
      const result = resultFromTaskOutcome(outcome) as {
        _meta?: Record<string, { taskId?: string }>;
        structuredContent?: { refId?: string; status?: string };
      };
      const related = result._meta?.["io.modelcontextprotocol/related-task"]?.taskId;
      expect(related).toBe(result.structuredContent?.refId);
      expect(result.structuredContent?.status).toBe("working");
      // The id it names is a task the client can follow to the value.
      work.stepGate.resolve();
      work.gate.resolve();
      await expect
        .poll(async () => (await cache.getTask(related as string, { owner: ANONYMOUS_OWNER }))?.status)
        .toBe("complete");
      const view = await tasks.task(taskId(related as string)).snapshot();
      expect(view).toMatchObject({ status: "completed" });
    } finally {
      await close();
    }
  });

  it("with preference prefer, gets a real task that settles to the value", async () => {
    const { tasks, work, close } = await session();
    try {
      const execution = await tasks.callTool("slow", { quarter: "Q4" }, { task: { preference: "prefer" } });
      expect(execution.kind).toBe("task");
      work.stepGate.resolve();
      work.gate.resolve();
      const { outcome } = await execution.settle();
      expect(resultFromTaskOutcome(outcome)).toMatchObject({ structuredContent: { quarter: "Q4", revenue: 42 } });
    } finally {
      await close();
    }
  });
});
