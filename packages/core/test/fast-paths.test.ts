/**
 * Every hand-written fast path against its zod schema, by property: over arbitrary input (fc.anything) and
 * near-valid objects built from the schema's fields (values of the wrong type or just past a limit, extra
 * keys, missing keys, `undefined` fields, objects that are not plain), a fast path that accepts gives what
 * the schema gives, and never accepts what the schema refuses; `parseOrThrow` (fast path first) accepts
 * exactly what the schema accepts. The progress checks of progress.ts are held to the same rule.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as z from "zod";
import {
  OWNER_MAX_LENGTH,
  PROGRESS_MESSAGE_MAX_LENGTH,
  REF_ID_MAX_LENGTH,
  ReadOptionsSchema,
  RefIdSchema,
  SetOptionsSchema,
  TaskProgressSchema,
  TaskProgressUpdateSchema,
} from "../src/models.js";
import { fastPathOf, parseOrThrow, SLOW } from "../src/parse.js";
import { mergeProgress, parseProgressUpdate } from "../src/progress.js";
import { TaskHandleSchema } from "../src/task-input.js";
import { CompleteOptionsSchema, OwnerOptionsSchema, RunOptionsSchema } from "../src/task-options.js";
import { CURSOR_MAX_LENGTH } from "../src/values/cursor.js";
import { JSON_POINTER_MAX_LENGTH } from "../src/values/json-pointer.js";
import { MAX_MAX_CHARS, MIN_MAX_CHARS } from "../src/values/value-budget.js";
import { PageOptionsSchema, PreviewOptionsSchema } from "../src/values/value-schemas.js";

/** Strings whose length is near `limit` (either side), and short ones. */
const textNear = (limit: number, char = "a") =>
  fc.oneof(
    fc.string({ maxLength: 4 }),
    fc.integer({ min: Math.max(0, limit - 2), max: limit + 2 }).map((n) => char.repeat(n)),
  );

/** Numbers of every awkward kind around `low` and `high`. */
const numberNear = (low: number, high: number) =>
  fc.oneof(
    fc.integer({ min: low - 2, max: low + 2 }),
    fc.constantFrom(high - 1, high, high + 1, low + 0.5, -0, -1, 0, Number.NaN, Number.POSITIVE_INFINITY),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 31, 2 ** 31 - 1),
    fc.double(),
  );

const refIdText = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/),
  fc.string({ maxLength: 10 }),
  fc.integer({ min: REF_ID_MAX_LENGTH - 2, max: REF_ID_MAX_LENGTH + 2 }).map((n) => "r".repeat(n)),
  fc.constantFrom("", "-a", "a b", "a/b", "é", "a\n", "job:1"),
);

const FIELDS = {
  current: numberNear(0, 10),
  total: numberNear(0, 10),
  message: textNear(PROGRESS_MESSAGE_MAX_LENGTH),
  owner: fc.oneof(
    textNear(OWNER_MAX_LENGTH, "o"),
    fc.string({ unit: "binary", maxLength: 6 }),
    fc.constantFrom("a\ud800", "\udc00", "\ud83d\ude00", "\ude00\ud83d"),
  ),
  ttlMs: fc.oneof(fc.constant(null), numberNear(0, 1000)),
  executeOnly: fc.oneof(fc.boolean(), fc.constantFrom(0, 1, "true")),
  runId: textNear(64, "r"),
  maxChars: numberNear(MIN_MAX_CHARS, MAX_MAX_CHARS),
  cursor: textNear(CURSOR_MAX_LENGTH, "c"),
  path: textNear(JSON_POINTER_MAX_LENGTH, "p"),
  promise: fc.constantFrom(
    Promise.resolve(1),
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is a valid handle's promise
    { then: () => undefined },
    // biome-ignore lint/suspicious/noThenProperty: and one whose then is not a function is not
    { then: 1 },
    () => 1,
  ),
  abortController: fc.constantFrom(new AbortController(), new AbortController().signal, {}),
  cancel: fc.constantFrom(
    () => 1,
    async () => 1,
    1,
    "cancel",
  ),
} satisfies Record<string, fc.Arbitrary<unknown>>;
type Field = keyof typeof FIELDS;

class Options {
  constructor(readonly owner?: string) {}
}

/** Objects near the schema's shape: some of its fields (good, bad or undefined), maybe an extra key, maybe not plain. */
function nearObjects(fields: Field[]): fc.Arbitrary<unknown> {
  const entry = fc.oneof(
    ...fields.map((name) =>
      fc.tuple(fc.constant<string>(name), fc.oneof({ weight: 6, arbitrary: FIELDS[name] }, fc.anything())),
    ),
    fc.tuple(fc.constant("extra"), fc.anything()),
    fc.tuple(fc.constantFrom<string>(...fields), fc.constant(undefined)),
    fc.tuple(fc.constantFrom("__proto__", "toString", "constructor"), fc.jsonValue()),
  );
  const shape = fc.oneof(
    { weight: 5, arbitrary: fc.constant("plain") },
    fc.constantFrom("null-prototype", "class", "array", "getter", "symbol"),
  );
  return fc
    .tuple(fc.array(entry, { maxLength: fields.length + 1 }), shape, fc.integer({ min: 0, max: 3 }))
    .map(([entries, kind, keep]) => {
      const picked = entries.length > 0 && kind === "plain" ? entries : entries.slice(0, keep);
      const target: Record<string, unknown> =
        kind === "null-prototype"
          ? Object.create(null)
          : kind === "class"
            ? new Options()
            : kind === "array"
              ? (Object.assign([], {}) as unknown as Record<string, unknown>)
              : {};
      for (const [key, value] of picked) {
        Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      }
      if (kind === "getter") {
        Object.defineProperty(target, fields[0] as string, {
          enumerable: true,
          get() {
            throw new Error("getter");
          },
        });
      }
      if (kind === "symbol") Object.defineProperty(target, Symbol("s"), { value: 1, enumerable: true });
      return target;
    });
}

/** The schema's answer; a schema that throws while reading the input refuses it. */
function schemaAnswer(schema: z.ZodType, value: unknown): { ok: true; data: unknown } | { ok: false } {
  try {
    const result = schema.safeParse(value);
    return result.success ? { ok: true, data: result.data } : { ok: false };
  } catch {
    return { ok: false };
  }
}

/** Holds `fast` to `schema` on one input; returns whether the fast path accepted it. */
function agrees(schema: z.ZodType, value: unknown): boolean {
  const fast = fastPathOf(schema);
  if (fast === undefined) throw new Error("the schema has no fast path");
  let answer: unknown;
  try {
    answer = fast(value);
  } catch {
    answer = SLOW; // parseOrThrow turns a throw into a refusal; the schema must refuse too (checked below)
  }
  const expected = schemaAnswer(schema, value);
  if (answer !== SLOW) expect(expected).toStrictEqual({ ok: true, data: answer });
  let parsed: { ok: true; data: unknown } | { ok: false };
  try {
    parsed = { ok: true, data: parseOrThrow(schema, value, "input") };
  } catch (error) {
    expect(error).toMatchObject({ code: "VALIDATION_ERROR" });
    parsed = { ok: false };
  }
  expect(parsed).toStrictEqual(expected);
  return answer !== SLOW;
}

const OBJECT_SCHEMAS: [string, z.ZodType, Field[]][] = [
  ["TaskProgressUpdateSchema", TaskProgressUpdateSchema, ["current", "total", "message"]],
  ["ReadOptionsSchema", ReadOptionsSchema, ["owner"]],
  ["SetOptionsSchema", SetOptionsSchema, ["ttlMs", "owner", "executeOnly"]],
  ["RunOptionsSchema", RunOptionsSchema, ["runId"]],
  ["CompleteOptionsSchema", CompleteOptionsSchema, ["runId", "ttlMs"]],
  ["OwnerOptionsSchema", OwnerOptionsSchema, ["owner"]],
  ["PreviewOptionsSchema", PreviewOptionsSchema, ["maxChars", "owner"]],
  ["PageOptionsSchema", PageOptionsSchema, ["cursor", "path", "maxChars", "owner"]],
  ["TaskHandleSchema", TaskHandleSchema, ["promise", "abortController", "cancel"]],
];

describe("fast paths agree with their schemas", () => {
  it.each(OBJECT_SCHEMAS)("%s", (_, schema, fields) => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: nearObjects(fields) }, fc.anything()), (value) => {
        if (agrees(schema, value)) accepted++;
      }),
      { numRuns: 1_000 },
    );
    expect(accepted, "the fast path took part").toBeGreaterThan(50);
  });

  it("RefIdSchema", () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: refIdText }, fc.anything()), (value) => {
        // Twice: the second check may be answered from the recent ids.
        if (agrees(RefIdSchema, value)) accepted++;
        agrees(RefIdSchema, value);
      }),
      { numRuns: 1_000 },
    );
    expect(accepted, "the fast path took part").toBeGreaterThan(50);
  });
});

/** The fields an accepted update sets (progress.ts hands absent ones back as undefined). */
const setFields = (fields: object) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));

describe("progress.ts's checks agree with TaskProgressUpdateSchema", () => {
  const updates = fc.oneof(
    { weight: 4, arbitrary: nearObjects(["current", "total", "message"]) },
    nearObjects(["current", "total", "message"]).map((value) =>
      typeof value === "object" && value !== null ? Object.assign(value, { percentage: 50 }) : value,
    ),
    fc.anything(),
  );

  it("parseProgressUpdate accepts what the schema accepts, with its fields", () => {
    fc.assert(
      fc.property(updates, (value) => {
        const expected = schemaAnswer(TaskProgressUpdateSchema, value);
        let got: { ok: true; data: unknown } | { ok: false };
        try {
          got = { ok: true, data: setFields(parseProgressUpdate(value, "job")) };
        } catch (error) {
          expect(error).toMatchObject({ code: "VALIDATION_ERROR" });
          got = { ok: false };
        }
        expect(got).toStrictEqual(expected.ok ? { ok: true, data: setFields(expected.data as object) } : expected);
      }),
      { numRuns: 1_000 },
    );
  });

  it("mergeProgress ignores a derived percentage and otherwise accepts what the schema accepts", () => {
    fc.assert(
      fc.property(updates, (value) => {
        let withoutDerived: unknown = value;
        try {
          if (typeof value === "object" && value !== null && Object.hasOwn(value, "percentage")) {
            const { percentage: _p, ...rest } = value as Record<string, unknown>;
            withoutDerived = rest;
          }
        } catch {
          // unreadable: the schema refuses it
        }
        const fields = schemaAnswer(TaskProgressUpdateSchema, withoutDerived);
        const { current, total } = (fields.ok ? fields.data : {}) as { current?: number; total?: number };
        const refused = !fields.ok || (current !== undefined && total !== undefined && current > total);
        let got: unknown;
        try {
          got = mergeProgress(undefined, value, "job");
        } catch (error) {
          expect(error).toMatchObject({ code: "VALIDATION_ERROR" });
          got = "refused";
        }
        // What the schema of stored progress makes of the accepted fields (percentage derived).
        expect(got).toStrictEqual(refused ? "refused" : TaskProgressSchema.parse(fields.data));
      }),
      { numRuns: 1_000 },
    );
  });
});
