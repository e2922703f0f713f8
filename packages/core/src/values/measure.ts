/**
 * The size of a JSON value: the length of its compact JSON text (`JSON.stringify` without spaces) in
 * UTF-16 code units, the unit clients count in. Computed by walking the value, stopping as soon as a
 * limit is passed, so sizing the first items of a huge value never costs a walk of all of it.
 */

/** Counts a JSON text in the caller's unit (e.g. tokens); the default counts UTF-16 code units. */
export type Measure = (jsonText: string) => number;

/**
 * A server's `measure` with its answer checked on every call. One that returns something other than a finite
 * number ≥ 0 is the server's fault, not the caller's: a TypeError (an MCP client is answered an `internal`
 * error, never told its own arguments were wrong).
 */
export function checkedMeasure(measure: Measure): Measure {
  return (jsonText) => {
    const size = measure(jsonText);
    if (typeof size === "number" && size >= 0 && size !== Number.POSITIVE_INFINITY) return size;
    throw new TypeError(`The server's valueBudget.measure must return a finite number ≥ 0, got ${String(size)}`);
  };
}

/** Text JSON.stringify escapes: quotes, backslashes, control characters, any surrogate (lone ones are escaped). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Length of `JSON.stringify(text)`, quotes included. */
export function stringSize(text: string): number {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text).length : text.length + 2;
}

/**
 * Sizes of short keys seen before: values repeat their keys, and a map lookup costs less than the escape
 * scan. Bounded in number and length, so values with ever new or huge keys cannot make it grow.
 */
const keySizes = new Map<string, number>();
const KEY_SIZES_MAX = 4096;
const KEY_SIZE_MAX_LENGTH = 64;

/** `stringSize` of an object key, remembered for short keys. */
export function keySize(key: string): number {
  let size = keySizes.get(key);
  if (size === undefined) {
    size = stringSize(key);
    if (keySizes.size < KEY_SIZES_MAX && key.length <= KEY_SIZE_MAX_LENGTH) keySizes.set(key, size);
  }
  return size;
}

/** Length of `JSON.stringify(n)` for a finite number (`-0` is written `0`). */
export function numberSize(n: number): number {
  if (n >= 0 && n < 1e9 && Number.isInteger(n)) {
    if (n < 10) return 1;
    if (n < 100) return 2;
    if (n < 1000) return 3;
    if (n < 10000) return 4;
    if (n < 100000) return 5;
    if (n < 1000000) return 6;
    return n < 10000000 ? 7 : n < 100000000 ? 8 : 9;
  }
  return Number.isFinite(n) ? String(n).length : 4; // JSON writes NaN and ±Infinity as null
}

/**
 * The compact JSON size of `value` when it is at most `limit`; otherwise some number above `limit`
 * (the walk stops once it knows). Object properties whose value is `undefined` are left out, as JSON does.
 */
export function sizeWithin(value: unknown, limit: number): number {
  switch (typeof value) {
    case "string":
      // Escapes only lengthen a string: one longer than the limit unescaped needs no scan.
      return value.length + 2 > limit ? value.length + 2 : stringSize(value);
    case "number":
      return numberSize(value);
    case "boolean":
      return value ? 4 : 5;
    case "object":
      break;
    default:
      return 4;
  }
  if (value === null) return 4;
  if (Array.isArray(value)) {
    const length = value.length;
    let total = length === 0 ? 2 : length + 1; // brackets and commas
    for (let i = 0; i < length && total <= limit; i++) total += sizeWithin(value[i], limit - total);
    return total;
  }
  let total = 1;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    total += keySize(key) + 2; // the key, its colon and a comma or the closing brace
    if (total > limit) return total;
    total += sizeWithin(item, limit - total);
    if (total > limit) return total;
  }
  return total === 1 ? 2 : total;
}

/**
 * The size of `value` (JSON data): with no `measure`, the length of its compact JSON text in UTF-16
 * code units, computed without building the text; with one, `measure(JSON.stringify(value))`.
 */
export function measureValue(value: unknown, measure?: Measure): number {
  if (measure === undefined) return sizeWithin(value, Number.POSITIVE_INFINITY);
  return measure(JSON.stringify(value) ?? "null");
}
