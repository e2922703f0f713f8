import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_VALUE_DEPTH, RefCacheError, ValidationError } from "../src/index.js";
import { decodeValue, encodeValue } from "../src/store-kit.js";
import { useCaches } from "./helpers.js";

const makeCache = useCaches();

/** JSON data of every kind, small (one pass) and large (checked, then stringified). */
const valid: [string, unknown][] = [
  ["a string", "hello"],
  ["an empty string", ""],
  ["quotes, backslashes and control characters", 'say "hi"\\ \n\t\u0000\u001f'],
  ["surrogate pairs and lone surrogates", "😀 \ud800 x \udc00"],
  ["non-ASCII text", "grüße, 東京"],
  ["numbers", [0, -0, 1.5, -2e-7, 1e21, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE]],
  ["booleans and null", [true, false, null]],
  ["empty containers", { a: {}, b: [] }],
  ["nesting", { content: [{ type: "text", text: "done: 42 rows" }], meta: { n: 1, tags: ["x", "y"] } }],
  ["keys that need escaping", { 'a"b': 1, "c\\d": 2, "\n": 3, "😀": 4 }],
  ["integer-like keys, in JSON's order", { b: 1, 2: "two", a: 3, 1: "one" }],
  ["properties that are undefined, left out", { keep: 1, drop: undefined, nested: { drop: undefined } }],
  ["an own __proto__ key", JSON.parse('{"__proto__":{"x":1},"y":2}')],
  ["an object without a prototype", Object.assign(Object.create(null), { a: 1 })],
  ["31 levels of nesting", nest(31)],
  ["40 levels of nesting", nest(40)],
  ["many parts", { rows: Array.from({ length: 500 }, (_, i) => ({ i, name: `row ${i}` })) }],
  ["a long array of numbers", Array.from({ length: 5_000 }, (_, i) => i * 1.5)],
];

function nest(levels: number): unknown {
  let value: unknown = "core";
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { v: value };
  return value;
}

describe("the value codec", () => {
  it.each(valid)("encodes %s exactly as JSON.stringify does", (_, value) => {
    const text = encodeValue(value);
    expect(text).toBe(JSON.stringify(value));
    expect(decodeValue(text)).toEqual(JSON.parse(JSON.stringify(value)));
  });

  const refused: [string, () => unknown, string][] = [
    ["a function", () => ({ a: [1, () => 1] }), "a.1: a function is not JSON data"],
    ["NaN", () => ({ n: Number.NaN }), "n: NaN is not JSON data"],
    ["Infinity", () => [Number.POSITIVE_INFINITY], "0: an infinite number is not JSON data"],
    ["a BigInt", () => ({ big: 10n }), "big: a BigInt is not JSON data"],
    ["a Date", () => ({ at: new Date(0) }), "at: a Date (store its toISOString()) is not JSON data"],
    ["a Map", () => ({ m: new Map() }), "m: a Map is not JSON data"],
    ["a class instance", () => ({ x: new (class Point {})() }), "x: an instance of a class is not JSON data"],
    ["undefined in an array", () => ({ list: [1, undefined] }), "list.1: undefined is not JSON data (use null)"],
    ["a hole in an array", () => ({ list: holey() }), "list.1: undefined is not JSON data (use null)"],
    ["a symbol key", () => ({ s: { [Symbol("k")]: 1 } }), "s: symbol keys are not JSON data"],
    ["a cycle", () => cycle(), "self.self: the value refers to itself (a cycle)"],
    ["nesting too deep", () => nest(MAX_VALUE_DEPTH + 1), `nesting is deeper than ${MAX_VALUE_DEPTH} levels`],
    ["a getter that throws", () => throwingGetter(), "the value could not be read (a getter or proxy threw)"],
  ];

  function holey(): unknown[] {
    const list = [1, 2, 3];
    delete list[1];
    return list;
  }

  function cycle(): unknown {
    const value: Record<string, unknown> = { self: {} };
    (value.self as Record<string, unknown>).self = value;
    return value;
  }

  function throwingGetter(): unknown {
    return Object.defineProperty({}, "x", {
      enumerable: true,
      get() {
        throw new Error("secret");
      },
    });
  }

  it.each(refused)("refuses %s, naming where it sits", (_, make, message) => {
    let error: unknown;
    try {
      encodeValue(make(), "job");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain(message);
    expect((error as ValidationError).refId).toBe("job");
    expect((error as ValidationError).message).not.toContain("secret");
  });

  it("spells out at most 120 characters of a deep path in the message, and keeps it whole in the issue", () => {
    const error = (() => {
      try {
        return encodeValue(nest(MAX_VALUE_DEPTH + 1));
      } catch (e) {
        return e as ValidationError;
      }
    })() as ValidationError;
    const shown = error.message.slice("Invalid value: ".length, error.message.indexOf(": nesting"));
    expect(shown.length).toBeLessThanOrEqual(121);
    expect(shown).toContain("…");
    expect(error.issues[0]?.path).toHaveLength(MAX_VALUE_DEPTH);
    // Cut between characters: under keys of emoji, the message stays well-formed text.
    let emoji: unknown = 1;
    // Keys of 59 "x" and an emoji: the 60-character cut falls between the emoji's two halves.
    for (let i = 0; i <= MAX_VALUE_DEPTH; i++) emoji = { [`${"x".repeat(59)}😀`]: emoji };
    const cut = (() => {
      try {
        return encodeValue(emoji);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(() => encodeURIComponent(cut)).not.toThrow();
  });

  it("leaves out what a tampered Object.prototype adds, as JSON does", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = "yes";
    try {
      const value = { a: 1, nested: { b: [2] } };
      expect(encodeValue(value)).toBe(JSON.stringify(value));
      expect(encodeValue(value)).not.toContain("polluted");
    } finally {
      delete proto.polluted;
    }
  });

  it("quotes keys it has seen before the same way, however many and however long", () => {
    for (let i = 0; i < 3_000; i++) {
      const value = { [`key ${i}`]: i, 'say "hi"': i, content: [{ type: "text" }], [`${"k".repeat(100)}${i}`]: 1 };
      expect(encodeValue(value)).toBe(JSON.stringify(value));
    }
  });

  it("refuses undefined itself", () => {
    expect(() => encodeValue(undefined)).toThrow(/undefined cannot be stored; use null/);
  });

  it("a value nested too deep is a VALIDATION_ERROR, not a STORE_ERROR", async () => {
    const { cache } = makeCache();
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    await expect(cache.set("k", deep)).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
  });
});

/**
 * What the codec's contract says it must refuse (its docstring): anything that is not JSON data — not a
 * string, boolean, finite number, null, array or plain object (prototype Object.prototype or null);
 * `undefined` at the top or in an array (holes included); own symbol keys on an object; a cycle; an
 * object or array nested `MAX_VALUE_DEPTH` deep or deeper; anything that throws when read. Object
 * properties that are `undefined` are left out, as JSON does. Written from the contract, not the code.
 */
function mustRefuse(value: unknown): boolean {
  if (value === undefined) return true;
  const ancestors = new Set<object>();
  const refused = (v: unknown, depth: number): boolean => {
    if (typeof v === "string" || typeof v === "boolean") return false;
    if (typeof v === "number") return !Number.isFinite(v);
    if (typeof v !== "object") return true;
    if (v === null) return false;
    if (depth >= MAX_VALUE_DEPTH || ancestors.has(v)) return true;
    ancestors.add(v);
    let bad: boolean;
    if (Array.isArray(v)) {
      bad = false;
      for (let i = 0; i < v.length && !bad; i++) bad = v[i] === undefined || refused(v[i], depth + 1);
    } else {
      const proto: unknown = Object.getPrototypeOf(v);
      bad =
        (proto !== Object.prototype && proto !== null) ||
        Object.getOwnPropertySymbols(v).length > 0 ||
        Object.keys(v).some((key) => {
          const item: unknown = (v as Record<string, unknown>)[key];
          return item !== undefined && refused(item, depth + 1);
        });
    }
    ancestors.delete(v);
    return bad;
  };
  try {
    return refused(value, 0);
  } catch {
    return true; // a getter or proxy that throws
  }
}

/** The codec's answer: its text, or "refused" for a VALIDATION_ERROR (anything else fails the test). */
function encoded(value: unknown): string {
  try {
    return encodeValue(value);
  } catch (error) {
    expect(RefCacheError.isInstance(error, "VALIDATION_ERROR"), String(error)).toBe(true);
    return "refused";
  }
}

function expectCodecContract(value: unknown): void {
  expect(encoded(value)).toBe(mustRefuse(value) ? "refused" : JSON.stringify(value));
}

/** Values that test the edges of the contract: toJSON, sparse arrays, -0, NaN, cycles, getters, proxies, depth. */
const awkward: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue().map((v) => ({ v, toJSON: () => "replaced" })),
  fc.jsonValue().map((v) => ({ v, toJSON: 1 })),
  fc.array(fc.jsonValue(), { maxLength: 5 }).map((list) => {
    const sparse = [...list];
    sparse.length += 2;
    return sparse;
  }),
  fc.constantFrom(-0, [-0], { z: -0 }, Number.NaN, { n: Number.NaN }, [Number.NEGATIVE_INFINITY]),
  fc.jsonValue().map((v) => {
    const self: Record<string, unknown> = { v };
    self.again = { self };
    return self;
  }),
  fc.jsonValue().map((v) => {
    const shared = { v };
    return { a: shared, b: [shared, shared] }; // shared, not a cycle: accepted
  }),
  fc.tuple(fc.jsonValue(), fc.boolean()).map(([v, throws]) =>
    Object.defineProperty({ plain: 1 }, "got", {
      enumerable: true,
      get() {
        if (throws) throw new Error("getter");
        return v;
      },
    }),
  ),
  fc.jsonValue().map((v) => Object.defineProperty({ shown: v }, "hidden", { value: () => 1, enumerable: false })),
  fc.jsonValue().map((v) => new Proxy({ v }, {})),
  fc.jsonValue().map((v) => ({ v, [Symbol("k")]: 1 })),
  fc.jsonValue().map((v) => Object.assign([v], { extra: "ignored" })),
  fc.tuple(fc.integer({ min: MAX_VALUE_DEPTH - 3, max: MAX_VALUE_DEPTH + 2 }), fc.jsonValue()).map(([levels, v]) => {
    let value: unknown = v;
    for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { v: value };
    return value;
  }),
);

describe("the value codec, by property", () => {
  it("encodes any JSON value exactly as JSON.stringify does", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(encodeValue(value)).toBe(JSON.stringify(value));
      }),
      { numRuns: 500 },
    );
  });

  it("answers JSON.stringify's text for JSON data and VALIDATION_ERROR for anything else, whatever it is given", () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    });
    fc.assert(fc.property(anything, expectCodecContract), { numRuns: 1_000 });
  });

  it("keeps the contract at its edges: toJSON, sparse arrays, -0, NaN, cycles, getters, proxies, depth", () => {
    fc.assert(fc.property(awkward, expectCodecContract), { numRuns: 500 });
  });
});
