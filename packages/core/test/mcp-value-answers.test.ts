/**
 * How values go out over MCP: whole within the budget, as reference + preview over it, page by page
 * through get_cached_result; every answer's text and structuredContent within budget + envelope.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryStores, type ValuePage } from "../src/index.js";
import {
  answerBudget,
  answerCachedResult,
  describeToolReferences,
  runToolCall,
  toDetailedTaskV2,
  VALUE_ANSWER_ENVELOPE_CHARS,
  valueAnswer,
  valueToolResult,
} from "../src/mcp/index.js";
import { POINTER_NAMED_MAX_LENGTH } from "../src/mcp/value-answers.js";
import { answerSizes, readAllPages, type ToolAnswer } from "../src/testing/index.js";
import { useCaches } from "./helpers.js";
import { jsonUnderLongKeys } from "./json-arbitraries.js";

const text = (r: { content: { type: string; text?: string }[] }) => r.content.map((c) => c.text ?? "").join("\n");
const table = (rows: number) => ({
  rows: Array.from({ length: rows }, (_, id) => ({ id, name: `row ${id}`, score: (id * 7) % 100 })),
});
const context = { pollIntervalMs: 100 };

function expectWithin(answer: ToolAnswer, maxChars: number) {
  const sizes = answerSizes(answer);
  expect(sizes.text).toBeLessThanOrEqual(maxChars + VALUE_ANSWER_ENVELOPE_CHARS);
  expect(sizes.structured).toBeLessThanOrEqual(maxChars + VALUE_ANSWER_ENVELOPE_CHARS);
}

describe("valueAnswer", () => {
  const budget = { maxChars: 2_000, maxFullChars: 4_000 };

  it("answers a value within the budget inline, as before, with compact text", () => {
    const value = table(10);
    expect(valueAnswer("r1", value, { budget })).toEqual(valueToolResult(value));
    expect(text(valueAnswer("r1", value, { budget }))).toBe(JSON.stringify(value));
  });

  it("answers a value over the budget with its reference, preview and sizes, and says what to do next", () => {
    const value = table(5_000);
    const answer = valueAnswer("r1", value, { budget, retention: { ttlMs: 3_600_000 } });
    expect(answer.isError).toBeUndefined();
    expect(answer.structuredContent).toMatchObject({
      refId: "r1",
      status: "completed",
      complete: false,
      totalChars: JSON.stringify(value).length,
    });
    const { preview, chars } = answer.structuredContent as { preview: unknown; chars: number };
    expect(JSON.stringify(preview).length).toBe(chars);
    expect(chars).toBeLessThanOrEqual(budget.maxChars);
    expect(text(answer)).toContain('call get_cached_result with {"refId":"r1"}');
    expect(text(answer)).toContain("nextCursor");
    expect(text(answer)).toContain("kept for 60 min");
    expectWithin(answer, budget.maxChars);
  });

  it("answers whole when the budget is off, whatever the size", () => {
    const value = table(5_000);
    expect(valueAnswer("r1", value, { budget: false })).toEqual(valueToolResult(value));
  });

  it("keeps text and structuredContent within budget + envelope for every JSON value and budget", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.integer({ min: 64, max: 3_000 }), (value, maxChars) => {
        const answer = valueAnswer("ref-1", value, { budget: { maxChars, maxFullChars: maxChars } });
        const sizes = answerSizes(answer);
        const envelope = VALUE_ANSWER_ENVELOPE_CHARS;
        // Inline: the value itself (wrapped in { value } when not an object) — at most the budget.
        expect(sizes.text).toBeLessThanOrEqual(maxChars + envelope);
        expect(sizes.structured).toBeLessThanOrEqual(maxChars + envelope);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps within budget + envelope a wrapped value whose keys escape long (quotes, control characters)", () => {
    // Five levels under keys of 100 control characters (each escaped in six): named whole, the part's pointer
    // would take the text past the envelope.
    let deep: unknown = Array.from({ length: 400 }, (_, i) => ({ id: i, name: "n".repeat(30) }));
    for (let d = 0; d < 5; d++) deep = { ["\u0001".repeat(100)]: deep, ok: true };
    const answer = valueAnswer("r", deep, { budget: { maxChars: 5_000, maxFullChars: 5_000 } });
    expect(answerSizes(answer).text).toBeLessThanOrEqual(5_000 + VALUE_ANSWER_ENVELOPE_CHARS);
    const key = fc.string({ unit: fc.constantFrom("a", '"', "\u0001", "/", "~", "é"), maxLength: 100 });
    const rows = fc.array(fc.record({ id: fc.nat(), name: fc.string({ maxLength: 30 }) }), {
      minLength: 50,
      maxLength: 400,
    });
    const wrapped = fc.tuple(fc.array(key, { minLength: 1, maxLength: 5 }), rows).map(([keys, table]) => {
      let value: unknown = table;
      for (const k of keys.reverse()) value = { [k]: value, ok: true };
      return value;
    });
    fc.assert(
      fc.property(
        wrapped,
        fc.integer({ min: 2_000, max: 5_000 }),
        fc.string({ maxLength: 64 }),
        (value, maxChars, id) => {
          const refId = `r-${id.replace(/[^A-Za-z0-9]/g, "x")}`;
          const answer = valueAnswer(refId || "r", value, { budget: { maxChars, maxFullChars: maxChars } });
          const sizes = answerSizes(answer);
          expect(sizes.text).toBeLessThanOrEqual(maxChars + VALUE_ANSWER_ENVELOPE_CHARS);
          expect(sizes.structured).toBeLessThanOrEqual(maxChars + VALUE_ANSWER_ENVELOPE_CHARS);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("answerBudget", () => {
  it("puts a tool's override over the adapter's over the cache's, and caps a client's maxChars", () => {
    const cache = { valueBudget: { maxChars: 20_000, maxFullChars: 40_000 } };
    expect(answerBudget(cache, undefined)).toEqual({ maxChars: 20_000, maxFullChars: 40_000 });
    expect(answerBudget(cache, { maxChars: 5_000 })).toMatchObject({ maxChars: 5_000 });
    expect(answerBudget(cache, { maxChars: 5_000 }, { maxFullChars: 50_000 })).toMatchObject({
      maxChars: 5_000,
      maxFullChars: 50_000,
    });
    expect(answerBudget(cache, { maxChars: 5_000 }, false)).toBe(false);
    expect(answerBudget(cache, false)).toBe(false);
    expect(answerBudget(cache, false, { maxChars: 1_000 })).toMatchObject({ maxChars: 1_000 });
    expect(answerBudget(cache, undefined, undefined, 1_000_000)).toMatchObject({ maxChars: 20_000 });
    expect(answerBudget(cache, undefined, undefined, 500)).toMatchObject({ maxChars: 500 });
    expect(() => answerBudget(cache, undefined, undefined, 10)).toThrow(/at least 64/);
  });
});

describe("get_cached_result over a large value", () => {
  const makeCache = useCaches();

  it("pages a 50,000-row table to the end, reassembled exactly, each answer within budget + envelope", async () => {
    const { cache } = makeCache({ valueBudget: { maxChars: 20_000 } });
    const value = table(50_000);
    await cache.set("big", value);
    const { value: read, answers } = await readAllPages(
      (args) => answerCachedResult(cache, args, context) as Promise<ToolAnswer>,
      "big",
    );
    expect(read).toEqual(value);
    expect(answers.length).toBeGreaterThan(100);
    for (const answer of answers) expectWithin(answer, 20_000);
    const first = answers[0] as ToolAnswer;
    expect(text(first as never)).toMatch(/^The value is larger than this answer's budget of 20000 characters/);
    expect(text(answers.at(-1) as never)).toContain("This is the last page.");
  });

  it("reads every JSON value back exactly through get_cached_result, each answer within budget + envelope", async () => {
    const { cache } = makeCache();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue({ maxDepth: 4 }), jsonUnderLongKeys),
        fc.integer({ min: 64, max: 2_000 }),
        async (value, maxChars) => {
          const refId = `v${n++}`;
          await cache.set(refId, value);
          const call = (args: Record<string, unknown>) =>
            answerCachedResult(cache, args, context) as Promise<ToolAnswer>;
          const { value: read, answers } = await readAllPages(call, refId, { maxChars, maxCalls: 5_000 });
          // JSON has no -0: compare as JSON texts.
          expect(JSON.stringify(read)).toBe(JSON.stringify(value));
          for (const answer of answers) {
            const page = answer.structuredContent?.page as ValuePage | undefined;
            // Outside the fixed envelope: a page's pointers, `path` and its one `partial` item's, and a key
            // longer than the budget (keys are never cut, in a page or a preview). The text holds each pointer
            // once in the page's JSON, and names one up to 100 characters long up to twice more (the part, the
            // item and how to read it). Cursors stay short whatever the keys.
            expect(page?.partial?.length ?? 0).toBeLessThanOrEqual(1);
            const pointer = page?.partial?.[0] ?? "";
            const partial = JSON.stringify([...(page?.partial ?? []), ...(page?.partialCursors ?? [])]).length;
            const path = JSON.stringify(page?.path ?? "").length;
            const chars = page?.chars ?? (answer.structuredContent?.chars as number | undefined) ?? 0;
            const key = Math.max(0, chars - maxChars);
            const named = (p: string) => (p.length <= POINTER_NAMED_MAX_LENGTH ? p.length + 2 : 0);
            const sizes = answerSizes(answer);
            expect(sizes.structured).toBeLessThanOrEqual(maxChars + VALUE_ANSWER_ENVELOPE_CHARS + partial + path + key);
            expect(sizes.text).toBeLessThanOrEqual(
              maxChars +
                VALUE_ANSWER_ENVELOPE_CHARS +
                partial +
                path +
                key +
                2 * named(pointer) +
                named(page?.path ?? ""),
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("keeps a page of a part under a long key within budget + envelope + its pointers, for every key length", async () => {
    const { cache } = makeCache();
    // Plain keys, and keys JSON escapes six characters a character (a lone surrogate).
    for (const [maxChars, unit] of [64, 300, 20_000].flatMap((m) => [[m, "k"] as const, [m, "\ud800"] as const])) {
      for (let keyLength = 1; keyLength <= 420; keyLength += 7) {
        const key = unit.repeat(keyLength);
        const refId = `long-${maxChars}-${unit.length === 1 && unit !== "k" ? "u" : unit}-${keyLength}`;
        // Rows under a long key, and one row too large for a page (a partial item under the long key).
        const rows = Array.from({ length: Math.ceil((3 * maxChars) / 20) + 3 }, (_, id) => ({ id, s: "x".repeat(8) }));
        await cache.set(refId, { [key]: { rows, big: "y".repeat(maxChars * 2) } });
        for (const path of [`/${key}/rows`, `/${key}`]) {
          const answer = (await answerCachedResult(cache, { refId, path, maxChars }, context)) as ToolAnswer;
          const page = answer.structuredContent?.page as ValuePage;
          const partial = page.partial?.[0] ?? "";
          // Pointers come on top, and cursors that carry a long one (in base64): each once, in the page's JSON.
          const long = (cursor: string | undefined) =>
            cursor !== undefined && cursor.length > 100 ? cursor.length : 0;
          const pointers =
            JSON.stringify(page.path).length +
            JSON.stringify(partial).length +
            long(page.nextCursor) +
            long(page.partialCursors?.[0]);
          const sizes = answerSizes(answer);
          const limit = maxChars + VALUE_ANSWER_ENVELOPE_CHARS + pointers;
          expect(sizes.structured, `structured, budget ${maxChars}, key ${keyLength}`).toBeLessThanOrEqual(limit);
          // The text names a pointer of up to 100 characters once more (the part), or twice (an item), beside
          // the page's JSON, and repeats only cursors of up to 100 characters.
          const named = (p: string) => (p.length <= POINTER_NAMED_MAX_LENGTH ? p.length + 2 : 0);
          expect(sizes.text, `text, budget ${maxChars}, key ${keyLength}, path ${path.length}`).toBeLessThanOrEqual(
            limit + named(page.path) + 2 * named(partial),
          );
          // A long cursor (a pointer in base64) is in the text once, in the page's JSON.
          const next = page.nextCursor;
          if (next !== undefined && next.length > 100) expect(text(answer as never).split(next)).toHaveLength(2);
        }
      }
    }
  });

  it("answers a value within the budget whole, as { refId, status, value }", async () => {
    const { cache } = makeCache();
    await cache.set("small", table(3));
    const answer = await answerCachedResult(cache, { refId: "small" }, context);
    expect(answer.structuredContent).toEqual({ refId: "small", status: "completed", value: table(3) });
    expect(text(answer)).toBe(JSON.stringify(table(3)));
  });

  it("pages one part named by a JSON Pointer, and honours a smaller maxChars in the next call it names", async () => {
    const { cache } = makeCache();
    await cache.set("big", table(2_000));
    const answer = await answerCachedResult(cache, { refId: "big", path: "/rows", maxChars: 500 }, context);
    const page = (answer.structuredContent as { page: { path: string; value: unknown[]; nextCursor: string } }).page;
    expect(page.path).toBe("/rows");
    expect(page.value[0]).toEqual({ id: 0, name: "row 0", score: 0 });
    expect(JSON.stringify(page.value).length).toBeLessThanOrEqual(500);
    expect(text(answer)).toContain(JSON.stringify({ refId: "big", cursor: page.nextCursor, maxChars: 500 }));
  });

  it("gives a whole value for full: true up to maxFullChars, and the first page with the reason above it", async () => {
    const { cache } = makeCache({ valueBudget: { maxChars: 1_000, maxFullChars: 3_000 } });
    await cache.set("mid", table(50)); // ~1,800 characters
    await cache.set("big", table(500));
    const mid = await answerCachedResult(cache, { refId: "mid", full: true }, context);
    expect(mid.structuredContent).toEqual({ refId: "mid", status: "completed", value: table(50) });
    expect((await answerCachedResult(cache, { refId: "mid" }, context)).structuredContent).toHaveProperty("page");
    const big = await answerCachedResult(cache, { refId: "big", full: true }, context);
    expect(big.isError).toBeUndefined();
    expect(big.structuredContent).toHaveProperty("page");
    expect(text(big)).toMatch(/^The whole value is larger than the 3000 characters a whole read may return/);
  });

  it("answers bad cursors, paths and arguments with clear tool errors, never a crash", async () => {
    const { cache } = makeCache({ valueBudget: { maxChars: 500 } });
    await cache.set("big", table(200));
    const first = await answerCachedResult(cache, { refId: "big", path: "/rows" }, context);
    const cursor = (first.structuredContent as { page: { nextCursor: string } }).page.nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ refId: "big", cursor: "not-a-cursor" }, /cursor is malformed/],
      [{ refId: "big", path: "/nope" }, /does not resolve/],
      [{ refId: "big", path: "rows" }, /not a JSON Pointer/],
      [{ refId: "big", maxChars: 10 }, /at least 64/],
      [{ refId: "big", cursor, full: true }, /leave out cursor and path/],
      [{ refId: "big", cursor: "" }, /Invalid arguments/],
      [{ refId: "big", offset: 3 }, /Invalid arguments/],
    ];
    for (const [args, message] of cases) {
      const answer = await answerCachedResult(cache, args, context);
      expect(answer.isError, JSON.stringify(args)).toBe(true);
      expect(text(answer)).toMatch(message);
    }
    // A cursor of a value since overwritten is refused, not answered with a page of the new value.
    await cache.set("big", table(300));
    const stale = await answerCachedResult(cache, { refId: "big", cursor }, context);
    expect(stale.isError).toBe(true);
    expect(text(stale)).toMatch(/overwritten|version/);
  });

  it("answers an unknown or foreign ref as not found, also with a cursor", async () => {
    const { cache } = makeCache({ valueBudget: { maxChars: 500 } });
    await cache.set("mine", table(200), { owner: "alice" });
    const first = await answerCachedResult(cache, { refId: "mine", path: "/rows" }, { ...context, owner: "alice" });
    const cursor = (first.structuredContent as { page: { nextCursor: string } }).page.nextCursor;
    expect(cursor).toEqual(expect.any(String));
    for (const args of [{ refId: "mine" }, { refId: "mine", cursor }, { refId: "nope", path: "" }]) {
      const answer = await answerCachedResult(cache, args, { ...context, owner: "bob" });
      expect(answer.isError).toBe(true);
      expect(text(answer)).toContain("Nothing is stored under refId");
    }
  });

  it("answers whole when the adapter turned the budget off, and still pages when asked to", async () => {
    const { cache } = makeCache({ valueBudget: { maxChars: 500 } });
    await cache.set("big", table(200));
    const off = { ...context, valueBudget: false as const };
    expect((await answerCachedResult(cache, { refId: "big" }, off)).structuredContent).toEqual({
      refId: "big",
      status: "completed",
      value: table(200),
    });
    const page = await answerCachedResult(cache, { refId: "big", path: "/rows" }, off);
    expect(page.structuredContent).toHaveProperty("page.path", "/rows");
    const sized = await answerCachedResult(cache, { refId: "big", maxChars: 300 }, off);
    expect(sized.structuredContent).toHaveProperty("page.chars");
    expect(
      JSON.stringify((sized.structuredContent as { page: { value: unknown } }).page.value).length,
    ).toBeLessThanOrEqual(300);
  });

  it("sizes answers in the cache's own unit when it counts with a custom measure (e.g. tokens)", async () => {
    const tokens = (text: string) => Math.ceil(text.length / 4);
    const { cache } = makeCache({ valueBudget: { maxChars: 500, measure: tokens } });
    await cache.set("small", table(20)); // ~680 characters, ~170 "tokens"
    expect((await answerCachedResult(cache, { refId: "small" }, context)).structuredContent).toHaveProperty("value");
    await cache.set("big", table(2_000));
    const { value, answers } = await readAllPages(
      (args) => answerCachedResult(cache, args, context) as Promise<ToolAnswer>,
      "big",
    );
    expect(value).toEqual(table(2_000));
    expect(text(answers[0] as never)).toContain("budget of 500 units");
    for (const answer of answers) {
      const page = (answer.structuredContent as { page: { value: unknown } }).page;
      expect(tokens(JSON.stringify(page.value))).toBeLessThanOrEqual(500);
    }
    const outcome = await runToolCall(cache, () => table(2_000), { timeoutMs: 1_000 });
    const reference = outcome.result.structuredContent as { preview: unknown; chars: number };
    expect(tokens(JSON.stringify(reference.preview))).toBe(reference.chars);
    expect(reference.chars).toBeLessThanOrEqual(500);
    expect(text(outcome.result as never)).toContain("units of JSON");
  });

  it("name the measure's unit where one is given, and answer a measure that breaks as the server's fault", async () => {
    const tokens = (text: string) => Math.ceil(text.length / 4);
    const { cache } = makeCache({ valueBudget: { maxChars: 500, measure: tokens, unit: "tokens" } });
    const budget = answerBudget(cache, undefined);
    expect(describeToolReferences(undefined, { budget })).toContain("larger than 500 tokens");
    await cache.set("big", table(2_000));
    expect(text(await answerCachedResult(cache, { refId: "big" }, context))).toContain("budget of 500 tokens");
    expect(text(valueAnswer("big", table(2_000), { budget }))).toContain("tokens of JSON");
    // A measure that counts the probe but not a large text: the client is not told its arguments were wrong.
    const flaky = (text: string) => (text.length > 10_000 ? Number.NaN : text.length);
    const { cache: broken } = makeCache({ valueBudget: { maxChars: 500, measure: flaky } });
    await broken.set("big", table(2_000));
    const answer = await answerCachedResult(broken, { refId: "big" }, context);
    expect(answer.structuredContent).toMatchObject({ error: { kind: "internal" } });
    expect(text(answer)).toContain("valueBudget.measure must return a finite number");
    // One that counts nothing, or a unit without a measure, is refused when the cache is built.
    expect(() => makeCache({ valueBudget: { measure: () => 0 } })).toThrow(/measure must count a JSON text/);
    expect(() => makeCache({ valueBudget: { unit: "tokens" } })).toThrow(/give the measure with it/);
  });

  it("pages across two instances sharing a store: the first page from one, the rest from the other", async () => {
    const shared = createMemoryStores();
    const { cache: first } = makeCache({ ...shared, valueBudget: { maxChars: 1_000 } });
    const { cache: second } = makeCache({ ...shared, valueBudget: { maxChars: 1_000 } });
    await first.set("big", table(500));
    let calls = 0;
    const { value } = await readAllPages(
      (args) => answerCachedResult(calls++ === 0 ? first : second, args, context) as Promise<ToolAnswer>,
      "big",
    );
    expect(value).toEqual(table(500));
    expect(calls).toBeGreaterThan(10);
  });
});

describe("tool calls and task results", () => {
  const makeCache = useCaches();

  it("a tool's large value answers inline with its reference, and reads back page by page", async () => {
    const { cache } = makeCache({ valueBudget: { maxChars: 5_000 } });
    const outcome = await runToolCall(cache, () => table(3_000), { timeoutMs: 1_000 });
    expect(outcome.kind).toBe("complete");
    expect(outcome.result.structuredContent).toMatchObject({ refId: outcome.refId, complete: false });
    expectWithin(outcome.result as ToolAnswer, 5_000);
    const { value } = await readAllPages(
      (args) => answerCachedResult(cache, args, context) as Promise<ToolAnswer>,
      outcome.refId as string,
    );
    expect(value).toEqual(table(3_000));
  });

  it("a tool with the budget off answers whole", async () => {
    const { cache } = makeCache({ valueBudget: { maxChars: 5_000 } });
    const outcome = await runToolCall(cache, () => table(3_000), { timeoutMs: 1_000, toolValueBudget: false });
    expect(outcome.result.structuredContent).toEqual(table(3_000));
  });

  it("tasks/get (2026) carries the reference of a large result, the value of a small one", () => {
    const task = {
      refId: "t1",
      status: "complete" as const,
      startedAt: 0,
      updatedAt: 1,
      retryCount: 0,
      runId: "run",
      resultExpiresAt: 3_600_000,
    };
    const budget = { maxChars: 1_000, maxFullChars: 2_000 };
    const big = toDetailedTaskV2(task, { ttlMs: 1000 }, table(500), { budget });
    expect(big).toMatchObject({ status: "completed", result: { structuredContent: { refId: "t1", complete: false } } });
    expect(text((big as unknown as { result: never }).result)).toContain("kept until 1970-01-01T01:00:00.000Z");
    const small = toDetailedTaskV2(task, { ttlMs: 1000 }, table(2), { budget });
    expect(small).toMatchObject({ result: { structuredContent: table(2) } });
  });
});
