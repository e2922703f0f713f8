/**
 * References as tool inputs (values/reference-arguments.ts): only opted-in parameters holding exactly
 * `{ refId, path? }` are resolved, with the caller's owner scope, validated against the parameter's own
 * schema; one wording for every reference a caller may not use; id-like strings stay strings.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  ErrorCode,
  isReferenceArgument,
  RefCacheError,
  ReferenceUnavailableError,
  referenceArgument,
  referenceInputSchema,
  referenceParameters,
  resolveRefs,
} from "../src/index.js";
import { useCaches } from "./helpers.js";
import { jsonValue } from "./json-arbitraries.js";

const ALICE = "auth:alice";
const BOB = "auth:bob";
const Rows = z.array(z.object({ id: z.number() }));

/** The message a refusal carries, with the ref id and parameter blanked out (to compare wordings). */
async function refusal(promise: Promise<unknown>, refId: string): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(RefCacheError.isInstance(error, ErrorCode.ReferenceUnavailable)).toBe(true);
  return (error as Error).message.replaceAll(refId, "<ref>");
}

describe("resolveRefs", () => {
  const makeCache = useCaches();

  it("replaces a reference by the stored value, or the part its path names, validated by the parameter's schema", async () => {
    const { cache } = makeCache();
    await cache.set("t1", { rows: [{ id: 1 }, { id: 2 }] }, { owner: ALICE });
    const parameters = { table: Rows };
    const whole = await resolveRefs(cache, { table: { refId: "t1", path: "/rows" }, column: "id" }, parameters, {
      owner: ALICE,
    });
    expect(whole).toEqual({ table: [{ id: 1 }, { id: 2 }], column: "id" });
    const item = await resolveRefs(
      cache,
      { n: { refId: "t1", path: "/rows/1/id" } },
      { n: z.number() },
      {
        owner: ALICE,
      },
    );
    expect(item).toEqual({ n: 2 });
  });

  it("with checkValues, validates every named parameter (values, references and missing ones) and wants an object", async () => {
    const { cache } = makeCache();
    await cache.set("t1", { rows: [{ id: 1 }] }, { owner: ALICE });
    const parameters = { table: Rows, limit: z.number().default(5) };
    const checked = { owner: ALICE, checkValues: true };
    expect(await resolveRefs(cache, { table: { refId: "t1", path: "/rows" }, x: 1 }, parameters, checked)).toEqual({
      table: [{ id: 1 }],
      limit: 5,
      x: 1,
    });
    for (const args of [{}, { table: [{ id: "1" }] }, { table: [], limit: "5" }, [], null, "t1", 7]) {
      await expect(resolveRefs(cache, args, parameters, checked), JSON.stringify(args)).rejects.toMatchObject({
        code: "VALIDATION_ERROR",
      });
    }
    // Every value is checked, each issue under its parameter's name; the reference is not read meanwhile.
    const refused = await resolveRefs(
      cache,
      { table: [{ id: "1" }, { id: 2 }], limit: "5", other: { refId: "t1", path: "/nope" } },
      { ...parameters, other: z.unknown() },
      { ...checked, what: "body" },
    ).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: "VALIDATION_ERROR",
      message: expect.stringMatching(/^Invalid body: table\.0\.id: .*; limit: /),
      issues: [
        { path: ["table", 0, "id"], code: "invalid_type" },
        { path: ["limit"], code: "invalid_type" },
      ],
    });
    // Referenced values that do not fit are refused alike: every one, each under its parameter's name.
    await cache.set("t2", [{ id: "x" }], { owner: ALICE });
    const byReference = await resolveRefs(
      cache,
      { table: { refId: "t2" }, other: { refId: "t1", path: "/rows" } },
      { table: Rows, other: z.array(z.string()) },
      { ...checked, what: "body" },
    ).catch((error: unknown) => error);
    expect(byReference).toMatchObject({
      code: "VALIDATION_ERROR",
      message: expect.stringMatching(/^Invalid body: table\.0\.id: /),
      issues: [{ path: ["table", 0, "id"] }, { path: ["other", 0] }],
    });
    // Without it, what is not a reference is the caller's to check (MCP: the SDK checks the input schema).
    expect(await resolveRefs(cache, { table: "x" }, parameters, { owner: ALICE })).toEqual({ table: "x" });
  });

  it("refuses unknown, expired, another owner's, server-only and unfinished references with the same words", async () => {
    const { cache, clock } = makeCache();
    await cache.set("mine", [{ id: 1 }], { owner: ALICE, ttlMs: 1_000 });
    await cache.set("theirs", [{ id: 1 }], { owner: BOB });
    await cache.set("server", [{ id: 1 }]);
    let release: () => void = () => {};
    await cache.registerTask("slow", () => new Promise<void>((r) => (release = r)), { owner: ALICE });
    const use = (refId: string) => resolveRefs(cache, { table: { refId } }, { table: Rows }, { owner: ALICE });
    const words = new Set([
      await refusal(use("theirs"), "theirs"),
      await refusal(use("server"), "server"),
      await refusal(use("slow"), "slow"),
      await refusal(use("never-stored"), "never-stored"),
      await refusal(use("not an id!"), "not an id!"),
    ]);
    clock.advance(1_001);
    words.add(await refusal(use("mine"), "mine"));
    expect(words.size).toBe(1);
    release();
  });

  it("words a bad pointer and a value the schema refuses as validation errors naming the parameter", async () => {
    const { cache } = makeCache();
    await cache.set("t1", { rows: [{ id: 1 }] }, { owner: ALICE });
    const use = (reference: unknown, schema: z.ZodType = Rows) =>
      resolveRefs(cache, { table: reference }, { table: schema }, { owner: ALICE }).catch((e: unknown) => e);
    for (const path of ["/nope", "rows", "/rows/7", "/rows/~2"]) {
      const error = await use({ refId: "t1", path });
      expect(RefCacheError.isInstance(error, ErrorCode.Validation)).toBe(true);
      expect((error as Error).message).toContain("table");
    }
    const wrongType = await use({ refId: "t1" });
    expect(RefCacheError.isInstance(wrongType, ErrorCode.Validation)).toBe(true);
    expect((wrongType as Error).message).toContain('argument "table"');
  });

  it("for every string (ids of stored values included), an opted-in string parameter is passed through as it is", async () => {
    const { cache } = makeCache();
    await cache.set("git:deadbeefcafe", "stored", { owner: ALICE });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.constantFrom("git:deadbeefcafe", "refId", '{"refId":"x"}')),
        async (text) => {
          const args = { text };
          expect(await resolveRefs(cache, args, { text: z.string() }, { owner: ALICE })).toBe(args);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("leaves id-like strings, other parameters and objects of another shape untouched", async () => {
    const { cache } = makeCache();
    await cache.set("git:deadbeefcafe", "stored", { owner: ALICE });
    const args = {
      commit: "git:deadbeefcafe",
      other: { refId: "git:deadbeefcafe" },
      extra: { refId: "git:deadbeefcafe", note: 1 },
    };
    const parameters = { commit: z.string(), extra: z.unknown() };
    expect(await resolveRefs(cache, args, parameters, { owner: ALICE })).toBe(args);
  });

  it("for every JSON value, a reference to it resolves to exactly it (and a resolved reference-shaped value stays as stored)", async () => {
    const { cache } = makeCache();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(jsonValue, async (value) => {
        const refId = `v${n++}`;
        await cache.set(refId, value, { owner: ALICE });
        const out = await resolveRefs(cache, { p: { refId } }, { p: z.unknown() }, { owner: ALICE });
        expect(out).toEqual({ p: JSON.parse(JSON.stringify(value)) });
      }),
      { numRuns: 60 },
    );
    // A stored value that is itself reference-shaped is not followed (resolution is one step).
    await cache.set("inner", 1, { owner: ALICE });
    await cache.set("outer", { refId: "inner" }, { owner: ALICE });
    expect(await resolveRefs(cache, { p: { refId: "outer" } }, { p: z.unknown() }, { owner: ALICE })).toEqual({
      p: { refId: "inner" },
    });
  });

  it("resolves execute-only values, an owner's own and the server's shared ones", async () => {
    const { cache } = makeCache();
    await cache.set("secret", "s3cret", { executeOnly: true });
    await cache.set("mine", [1, 2], { owner: ALICE, executeOnly: true });
    const out = await resolveRefs(
      cache,
      { key: { refId: "secret" }, list: { refId: "mine" } },
      { key: z.string(), list: z.array(z.number()) },
      { owner: ALICE },
    );
    expect(out).toEqual({ key: "s3cret", list: [1, 2] });
    await expect(
      resolveRefs(cache, { list: { refId: "mine" } }, { list: z.array(z.number()) }, { owner: BOB }),
    ).rejects.toBeInstanceOf(ReferenceUnavailableError);
  });
});

describe("the reference argument schema", () => {
  it("accepts the parameter's own type or { refId, path? }, and shows both in JSON Schema", () => {
    const schema = referenceArgument(Rows.describe("The rows"));
    expect(schema.parse([{ id: 1 }])).toEqual([{ id: 1 }]);
    expect(schema.parse({ refId: "r1", path: "/rows" })).toEqual({ refId: "r1", path: "/rows" });
    expect(schema.safeParse({ refId: "r1", other: 1 }).success).toBe(false);
    const json = JSON.stringify(z.toJSONSchema(schema));
    expect(json).toContain("anyOf");
    expect(json).toContain("refId");
    expect(json).toContain("reference to a stored result");
  });

  it("keeps a reference a reference where the own schema would take it as a value (keys stripped, defaults)", () => {
    const owns = [
      z.object({ name: z.string().optional() }),
      z.object({ limit: z.number().default(10) }),
      z.record(z.string(), z.string()),
      z.unknown(),
    ];
    for (const own of owns) {
      expect(referenceArgument(own).parse({ refId: "r1", path: "/x" })).toEqual({ refId: "r1", path: "/x" });
      expect(referenceArgument(own).parse({ refId: "r1" })).toEqual({ refId: "r1" });
    }
    expect(referenceArgument(z.object({ limit: z.number().default(10) })).parse({})).toEqual({ limit: 10 });
    expect(referenceArgument(z.object({ name: z.string().optional() })).parse({ name: "n", refId: "r" })).toEqual({
      name: "n",
    });
  });

  it("wraps only the named parameters of a shape, and refuses a name it does not have", () => {
    const { shape, parameters } = referenceParameters({ table: Rows, column: z.string() }, ["table"]);
    expect(Object.keys(parameters)).toEqual(["table"]);
    expect(z.object(shape).safeParse({ table: { refId: "x" }, column: "id" }).success).toBe(true);
    expect(z.object(shape).safeParse({ table: [], column: { refId: "x" } }).success).toBe(false);
    expect(() => referenceParameters({ table: Rows }, ["nope"])).toThrow(/nope/);
  });

  it("tells the reference shape apart exactly", () => {
    expect(isReferenceArgument({ refId: "a" })).toBe(true);
    expect(isReferenceArgument({ refId: "a", path: "/x" })).toBe(true);
    expect(isReferenceArgument("a")).toBe(false);
    expect(isReferenceArgument({ refId: 1 })).toBe(false);
    expect(isReferenceArgument({ refId: "a", path: 1 })).toBe(false);
    expect(isReferenceArgument({ refId: "a", x: 1 })).toBe(false);
    expect(isReferenceArgument([{ refId: "a" }])).toBe(false);
  });
});

describe("referenceInputSchema", () => {
  it("wraps the named parameters of a zod object or a raw shape, keeping the kind given", () => {
    const object = z.object({ table: Rows, column: z.string() });
    const fromObject = referenceInputSchema(object, ["table"]);
    expect(fromObject.inputSchema.safeParse({ table: { refId: "r", path: "/rows" }, column: "id" }).success).toBe(true);
    expect(fromObject.inputSchema.safeParse({ table: [], column: { refId: "r" } }).success).toBe(false);
    const fromShape = referenceInputSchema({ table: Rows }, ["table"]);
    expect(z.object(fromShape.inputSchema).safeParse({ table: { refId: "r" } }).success).toBe(true);
    expect(Object.keys(fromShape.parameters)).toEqual(["table"]);
    expect(() => referenceInputSchema(undefined, ["table"])).toThrow(/refParams/);
    expect(() => referenceInputSchema(object, ["nope"])).toThrow(/nope/);
  });
});
