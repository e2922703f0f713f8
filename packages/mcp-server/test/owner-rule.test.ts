/**
 * The owner rule through real SDK clients: references outlive the session (the default owner is the
 * principal, else the anonymous owner), principals stay apart, and what server code stored without an
 * owner answers every client exactly as an id that was never used.
 */
import { ANONYMOUS_OWNER, type RefCache } from "@mcp-refcache/core";
import type { Client } from "@modelcontextprotocol/client";
import { describe, expect, it } from "vitest";
import { sessionScope } from "../src/index.js";
import { connectSession, deferAfterEach, httpEndpoint, newCache, rawCall, serverFactory, Work } from "./harness.js";

const call = (client: Client, name: string, args: Record<string, unknown>) =>
  client.callTool({ name, arguments: args });
const refIdOf = (result: { structuredContent?: unknown }) => (result.structuredContent as { refId: string }).refId;

describe("the owner of an MCP request", () => {
  const defer = deferAfterEach();

  function setup(options = {}) {
    const cache = newCache();
    const work = new Work();
    defer(() => cache.close());
    return { cache, work, factory: serverFactory(cache, work, options) };
  }

  it("without auth is the anonymous owner: a client on a new session follows its pending reference", async () => {
    const { cache, work, factory } = setup();
    const first = await connectSession(factory, "session-1");
    const refId = refIdOf(await call(first.client, "slow", { key: "report" }));
    expect((await cache.getTask(refId))?.owner).toBe(ANONYMOUS_OWNER);
    await first.close();

    const again = await connectSession(factory, "session-2");
    defer(again.close);
    expect((await call(again.client, "get_task_status", { refId })).structuredContent).toMatchObject({
      status: "working",
    });
    work.release("report", { rows: 7 });
    await cache.waitForTask(refId, { timeoutMs: 5000 });
    expect((await call(again.client, "get_cached_result", { refId })).structuredContent).toMatchObject({
      value: { rows: 7 },
    });
  });

  it("with auth is the principal: it follows its reference from a new connection, another principal cannot", async () => {
    const { cache, work, factory } = setup();
    const http = httpEndpoint(factory);
    const alice = await http.connectAs("alice", false);
    const refId = refIdOf(await call(alice, "slow", { key: "alice's" }));
    expect((await cache.getTask(refId))?.owner).toBe("auth:alice");
    await alice.close();

    const bob = await http.connectAs("bob", false);
    defer(() => bob.close());
    expect(await call(bob, "get_task_status", { refId })).toMatchObject({ isError: true });
    expect(await call(bob, "cancel_task", { refId })).toMatchObject({ isError: true });

    const again = await http.connectAs("alice", true);
    defer(() => again.close());
    work.release("alice's", "hers");
    await cache.waitForTask(refId, { timeoutMs: 5000 });
    expect((await call(again, "get_cached_result", { refId })).structuredContent).toMatchObject({ value: "hers" });
    expect(await call(bob, "get_cached_result", { refId })).toMatchObject({ isError: true });
  });

  it("never reaches what server code stored without an owner, on any path", async () => {
    for (const options of [{}, { owner: sessionScope }]) {
      const { cache, factory } = setup(options);
      await serverEntries(cache);
      const session = await connectSession(factory, "mallory");
      defer(session.close);
      const http = httpEndpoint(factory);
      const principal = await http.connectAs("mallory", false);
      defer(() => principal.close());
      for (const client of [session.client, principal]) {
        for (const id of ["nightly-report", "internal:db"]) {
          expect(await pollingAnswers(client, id)).toEqual(await pollingAnswers(client, "never-used"));
        }
      }
      const modern = http.sendAs("mallory");
      for (const id of ["nightly-report", "internal:db"]) {
        const answer = JSON.stringify(await rawCall(modern, "tasks/get", { taskId: id })).replaceAll(id, "<id>");
        const unknown = JSON.stringify(await rawCall(modern, "tasks/get", { taskId: "never-used" }));
        expect(answer).toBe(unknown.replaceAll("never-used", "<id>"));
      }
      expect(await cache.get("internal:db")).toEqual({ password: "hunter2" });
    }
  });
});

/** The input: a server-side task with its result, and a server-only value. */
async function serverEntries(cache: RefCache): Promise<void> {
  await cache.registerTask("nightly-report", async () => ({ revenue: 42 }));
  await cache.waitForTask("nightly-report", { timeoutMs: 5000 });
  await cache.set("internal:db", { password: "hunter2" });
}

/** The polling tools' answers for `refId`, with the id blanked out. */
async function pollingAnswers(client: Client, refId: string): Promise<string[]> {
  const answers: string[] = [];
  for (const name of ["get_task_status", "get_cached_result", "cancel_task"]) {
    answers.push(JSON.stringify(await call(client, name, { refId })).replaceAll(refId, "<id>"));
  }
  return answers;
}
