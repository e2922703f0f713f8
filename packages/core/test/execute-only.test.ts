/**
 * Execute-only values (`SetOptions.executeOnly`, a tool's `executeOnly`): clients may pass them by
 * reference but never read them — every client read path refuses, reference arguments resolve them,
 * server-side `get` reads them, and an execute-only result is answered as its reference alone.
 */
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ErrorCode, ExecuteOnlyError, MemoryStore, RefCacheError, resolveRefs, type TaskInfo } from "../src/index.js";
import {
  answerCachedResult,
  executeOnlyToolResult,
  finishedTaskToolResult,
  readRefResource,
  refResourceUri,
  resolveToolArguments,
  runToolCall,
  toDetailedTaskV2,
} from "../src/mcp/index.js";
import { until, useCaches } from "./helpers.js";

const ALICE = "auth:alice";
const ALICE_CTX = { owner: ALICE, pollIntervalMs: 100 };
const text = (r: { content: { type: string; text?: string }[] }) => r.content.map((c) => c.text ?? "").join("\n");
const SECRET = "sk-live-0123456789";

describe("execute-only values", () => {
  const makeCache = useCaches();

  it("are read by server code and refused to every client read path", async () => {
    const { cache } = makeCache();
    await cache.set("key", { token: SECRET, rows: [1, 2, 3] }, { owner: ALICE, executeOnly: true });
    expect(await cache.get("key")).toEqual({ token: SECRET, rows: [1, 2, 3] });
    expect(await cache.getEntry("key")).toMatchObject({ executeOnly: true });
    // Server-side previews and pages (no owner) still read it.
    expect(await cache.preview("key")).toMatchObject({ complete: true });
    await expect(cache.preview("key", { owner: ALICE })).rejects.toBeInstanceOf(ExecuteOnlyError);
    await expect(cache.page("key", { owner: ALICE })).rejects.toBeInstanceOf(ExecuteOnlyError);
    await expect(cache.page("key", { owner: ALICE, path: "/rows" })).rejects.toBeInstanceOf(ExecuteOnlyError);
    for (const args of [{ refId: "key" }, { refId: "key", full: true }, { refId: "key", path: "/token" }]) {
      const answer = await answerCachedResult(cache, args, ALICE_CTX);
      expect(answer.isError).toBe(true);
      expect(answer.structuredContent).toMatchObject({ error: { kind: "execute_only" } });
      expect(JSON.stringify(answer)).not.toContain(SECRET);
    }
    // …and reference arguments resolve it.
    expect(
      await resolveRefs(cache, { t: { refId: "key", path: "/token" } }, { t: z.string() }, { owner: ALICE }),
    ).toEqual({ t: SECRET });
  });

  it("are refused to every client read on their bookkeeping, their text never decoded", async () => {
    // Text that is not JSON: decoding it would be a STORE_ERROR, so an EXECUTE_ONLY answer shows it was not.
    const store = new MemoryStore();
    await store.set("key", { data: "{not json", createdAt: Date.now(), version: 1, owner: ALICE, executeOnly: true });
    const { cache } = makeCache({ store });
    expect(await cache.getEntryForClient("key", { owner: ALICE })).toEqual({
      key: "key",
      createdAt: expect.any(Number),
      version: expect.any(String),
      owner: ALICE,
      executeOnly: true,
    });
    await expect(cache.getEntry("key", { owner: ALICE })).rejects.toMatchObject({ code: ErrorCode.Store });
    for (const args of [{ refId: "key" }, { refId: "key", full: true }]) {
      const answer = await answerCachedResult(cache, args, ALICE_CTX);
      expect(answer.structuredContent).toMatchObject({ error: { kind: "execute_only" } });
    }
    await expect(readRefResource(cache, refResourceUri("key"), { owner: ALICE })).rejects.toBeInstanceOf(
      ExecuteOnlyError,
    );
    const task = { refId: "key", status: "complete" } as TaskInfo;
    expect((await finishedTaskToolResult(cache, task, ALICE, { budget: false }))?.structuredContent).toEqual({
      refId: "key",
      status: "completed",
      executeOnly: true,
    });
    // Another owner still sees nothing at all.
    expect(await cache.getEntryForClient("key", { owner: "auth:bob" })).toBeUndefined();
  });

  it("an overwrite without the flag makes a value readable again, and one with it makes it execute-only", async () => {
    const { cache } = makeCache();
    await cache.set("k", 1, { owner: ALICE, executeOnly: true });
    await cache.set("k", 2, { owner: ALICE });
    expect((await answerCachedResult(cache, { refId: "k" }, ALICE_CTX)).structuredContent).toMatchObject({
      value: 2,
    });
    await cache.set("k", 3, { owner: ALICE, executeOnly: true });
    expect((await answerCachedResult(cache, { refId: "k" }, ALICE_CTX)).isError).toBe(true);
  });

  it("an execute-only tool result is answered as its reference alone, however small, and stored execute-only", async () => {
    const { cache } = makeCache();
    const outcome = await runToolCall(cache, () => ({ token: SECRET }), {
      timeoutMs: 1_000,
      owner: ALICE,
      executeOnly: true,
    });
    expect(outcome.kind).toBe("complete");
    expect(JSON.stringify(outcome.result)).not.toContain(SECRET);
    expect(outcome.result.structuredContent).toEqual({
      refId: outcome.refId as string,
      status: "completed",
      executeOnly: true,
    });
    expect(await cache.getEntry(outcome.refId as string)).toMatchObject({ executeOnly: true, owner: ALICE });
    const task = await cache.getTask(outcome.refId as string);
    expect(task?.resultExecuteOnly).toBe(true);
    const detailed = toDetailedTaskV2(
      task as NonNullable<typeof task>,
      { pollIntervalMs: 100, ttlMs: null },
      { token: SECRET },
    );
    expect(JSON.stringify(detailed)).not.toContain(SECRET);
    const read = await answerCachedResult(cache, { refId: outcome.refId as string }, ALICE_CTX);
    expect(read.isError).toBe(true);
    const used = await resolveToolArguments(
      cache,
      { t: { refId: outcome.refId as string } },
      { t: z.unknown() },
      ALICE,
    );
    expect(used).toEqual({ ok: true, args: { t: { token: SECRET } } });
  });

  it("a slow execute-only result is stored execute-only when it lands", async () => {
    const { cache } = makeCache();
    let release: (v: unknown) => void = () => {};
    const outcome = await runToolCall(cache, () => new Promise((r) => (release = r)), {
      timeoutMs: 0,
      owner: ALICE,
      executeOnly: true,
    });
    expect(outcome.kind).toBe("pending");
    release({ token: SECRET });
    await until(() => cache.getTaskStatus(outcome.refId as string)?.status === "complete");
    expect(await cache.getEntry(outcome.refId as string)).toMatchObject({ executeOnly: true });
    expect(text(await answerCachedResult(cache, { refId: outcome.refId as string }, ALICE_CTX))).toMatch(
      /execute-only/,
    );
  });

  it("refuse a reference that does not fit its parameter in one wording that shows nothing of the value", async () => {
    const { cache } = makeCache();
    const stored = { apiKey: SECRET, region: "eu-west-1", n: 7 };
    await cache.set("key", stored, { owner: ALICE, executeOnly: true });
    // Each of these, with its zod or path detail, would name the keys, types, bounds or bytes of the value.
    const misfits: [unknown, z.ZodType][] = [
      [{ refId: "key" }, z.strictObject({})],
      [{ refId: "key" }, z.record(z.string(), z.number())],
      [{ refId: "key", path: "/region" }, z.enum(["us-east-1"])],
      [{ refId: "key", path: "/apiKey" }, z.string().max(3)],
      [{ refId: "key", path: "/n" }, z.number().max(5)],
      [{ refId: "key", path: "/apiKey" }, z.string().refine(() => false, { error: (issue) => `bad ${issue.input}` })],
      [{ refId: "key", path: "/nope" }, z.unknown()],
      [{ refId: "key", path: "/apiKey/0" }, z.unknown()],
    ];
    const words = new Set<string>();
    for (const [reference, schema] of misfits) {
      const error = await resolveRefs(cache, { p: reference }, { p: schema }, { owner: ALICE }).catch((e) => e);
      expect(RefCacheError.isInstance(error, ErrorCode.Validation)).toBe(true);
      const shown = JSON.stringify({ message: (error as Error).message, ...(error as RefCacheError).toJSON() });
      for (const detail of [SECRET, "apiKey", "region", "eu-west", "<=", "number", "string"]) {
        expect(shown).not.toContain(detail);
      }
      words.add((error as Error).message);
      const answer = await resolveToolArguments(cache, { p: reference }, { p: schema }, ALICE);
      expect(answer.ok).toBe(false);
      expect(JSON.stringify(answer)).not.toContain("apiKey");
    }
    expect(words.size).toBe(1);
    // A pointer that is not one is the caller's own mistake, and still said so.
    const malformed = await resolveRefs(
      cache,
      { p: { refId: "key", path: "apiKey" } },
      { p: z.unknown() },
      {
        owner: ALICE,
      },
    ).catch((e) => e);
    expect((malformed as Error).message).toMatch(/not a JSON Pointer/);
  });

  it("words the refusal with the way to use the value", () => {
    const error = new ExecuteOnlyError("r1");
    expect(RefCacheError.isInstance(error, ErrorCode.ExecuteOnly)).toBe(true);
    expect(error.message).toContain('{ "refId": "r1" }');
    expect(text(executeOnlyToolResult("r1"))).toMatch(/execute-only/);
  });
});
