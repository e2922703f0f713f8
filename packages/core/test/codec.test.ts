import { describe, expect, it } from "vitest";
import { MAX_VALUE_DEPTH, ValidationError } from "../src/index.js";
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
