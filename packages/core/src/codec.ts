/**
 * The one value codec every store shares. A value is JSON data and nothing else, checked once on the
 * way in and kept as JSON text, so a read costs a parse (never a deep clone) and no caller can change
 * what is stored. What is not JSON data is refused, naming where it sits, rather than converted.
 */
import { StoreError, ValidationError } from "./errors.js";

/** Deepest nesting a value may have; deeper values are refused rather than risk the runtime's stack. */
export const MAX_VALUE_DEPTH = 200;

type Path = (string | number)[];

class Refusal {
  readonly path: Path;
  constructor(
    path: Path,
    readonly message: string,
    /** Refused for its depth (which a cycle also reaches when the walk does not track ancestors). */
    readonly tooDeep = false,
  ) {
    // The walk reuses one path array; keep a copy of where it stood.
    this.path = [...path];
  }
}

/** What a value that is not JSON data is, in words that never quote user code. */
function describe(value: unknown): string {
  switch (typeof value) {
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
    case "bigint":
      return "a BigInt";
    case "undefined":
      return "undefined";
    case "number":
      return Number.isNaN(value) ? "NaN" : "an infinite number";
  }
  if (value instanceof Date) return "a Date (store its toISOString())";
  if (value instanceof Map) return "a Map";
  if (value instanceof Set) return "a Set";
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return "binary data (a typed array or buffer)";
  if (value instanceof RegExp) return "a RegExp";
  if (value instanceof Promise) return "a Promise";
  return "an instance of a class";
}

/** Throws a Refusal for the first part of `value` that is not JSON data; with `ancestors`, names cycles. */
function check(value: unknown, path: Path, depth: number, ancestors: Set<object> | undefined): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (Number.isFinite(value)) return;
      throw new Refusal(path, `${describe(value)} is not JSON data`);
    case "object":
      break;
    default:
      throw new Refusal(path, `${describe(value)} is not JSON data`);
  }
  if (value === null) return;
  if (depth >= MAX_VALUE_DEPTH) throw new Refusal(path, `nesting is deeper than ${MAX_VALUE_DEPTH} levels`, true);
  if (ancestors?.has(value)) throw new Refusal(path, "the value refers to itself (a cycle)");
  ancestors?.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      path.push(i);
      if (item === undefined) throw new Refusal(path, "undefined is not JSON data (use null)");
      check(item, path, depth + 1, ancestors);
      path.pop();
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new Refusal(path, `${describe(value)} is not JSON data`);
    if (Object.getOwnPropertySymbols(value).length > 0) {
      throw new Refusal(path, "symbol keys are not JSON data");
    }
    for (const key of Object.keys(value)) {
      const item: unknown = (value as Record<string, unknown>)[key];
      // JSON leaves out properties that are undefined; so do we.
      if (item !== undefined) {
        path.push(key);
        check(item, path, depth + 1, ancestors);
        path.pop();
      }
    }
  }
  ancestors?.delete(value);
}

/**
 * `check` without tracking ancestors first: a Set per value and two operations per object are most of
 * the check's cost. A cycle then shows as a walk too deep, and only then is the value walked again,
 * tracking ancestors, to refuse it with the words and the path the tracked walk gives (the untracked
 * walk visits the same parts in the same order until it meets a cycle).
 */
function checkValue(value: unknown): void {
  try {
    check(value, [], 0, undefined);
  } catch (error) {
    if (!(error instanceof Refusal && error.tooDeep)) throw error;
    check(value, [], 0, new Set());
    throw error;
  }
}

/** Text up to this long is copied into one flat string when encoded (see `flat`). */
const FLATTEN_MAX_LENGTH = 1024;

/**
 * JSON.stringify hands back text longer than 32 characters as a rope of pieces (V8), and a stored value
 * is kept for its whole TTL: for small values the rope's headers cost as much as the text. Copying the
 * UTF-16 code units gives one flat string, the same text. Longer text is left as it is: there the pieces
 * are a small share, and the copy would cost more.
 */
function flat(text: string): string {
  if (text.length <= 32 || text.length > FLATTEN_MAX_LENGTH) return text;
  const units = new Array<number>(text.length);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  return String.fromCharCode(...units);
}

/** Parts the one-pass encoder writes before it leaves a value to `JSON.stringify`, which is faster for large ones. */
const FAST_MAX_PARTS = 256;
/** Nesting the one-pass encoder follows; deeper values (cycles among them) take the checked path. */
const FAST_MAX_DEPTH = 32;
/** Text JSON.stringify would escape: quotes, backslashes, control characters, any surrogate (lone ones are escaped). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Gives up on the one-pass encoding: the value goes the checked way, which also words any refusal. */
class GiveUp {}
const GIVE_UP = new GiveUp();

/**
 * Short keys seen before, quoted and followed by ":"; results repeat their keys. Bounded in number and
 * in length, so values with ever new or huge keys (a caller's data, an attacker's) cannot make it grow.
 */
const keyTexts = new Map<string, string>();
const KEY_TEXTS_MAX = 1024;
const KEY_TEXT_MAX_LENGTH = 64;

function keyText(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    text = `${NEEDS_ESCAPE.test(key) ? JSON.stringify(key) : `"${key}"`}:`;
    if (keyTexts.size < KEY_TEXTS_MAX && key.length <= KEY_TEXT_MAX_LENGTH) keyTexts.set(key, text);
  }
  return text;
}

/**
 * Writes the JSON text of `value` into `parts`, checking as it goes, for the small values most results
 * are: one walk instead of a check and a stringify, and `join` builds one flat string. Throws GIVE_UP on
 * anything it does not plainly know to be JSON data, or when the value is large or deep.
 */
function writeJson(value: unknown, parts: string[], depth: number): void {
  if (parts.length >= FAST_MAX_PARTS) throw GIVE_UP;
  switch (typeof value) {
    case "string":
      if (NEEDS_ESCAPE.test(value)) parts.push(JSON.stringify(value));
      else parts.push('"', value, '"');
      return;
    case "boolean":
      parts.push(value ? "true" : "false");
      return;
    case "number":
      if (!Number.isFinite(value)) throw GIVE_UP;
      parts.push(String(value));
      return;
    case "object":
      break;
    default:
      throw GIVE_UP;
  }
  if (value === null) {
    parts.push("null");
    return;
  }
  if (depth >= FAST_MAX_DEPTH) throw GIVE_UP;
  if (Array.isArray(value)) {
    parts.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) parts.push(",");
      const item: unknown = value[i];
      if (item === undefined) throw GIVE_UP;
      writeJson(item, parts, depth + 1);
    }
    parts.push("]");
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw GIVE_UP;
  let opening = "{";
  // for…in visits own keys in JSON's order; a key inherited from a tampered Object.prototype gives up.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) throw GIVE_UP;
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item === undefined) continue; // as JSON does
    parts.push(opening, keyText(key));
    opening = ",";
    writeJson(item, parts, depth + 1);
  }
  parts.push(opening === "{" ? "{}" : "}");
  if (Object.getOwnPropertySymbols(value).length > 0) throw GIVE_UP;
}

/** The JSON text of a small value in one pass, or `undefined` when it must go the checked way. */
function encodeSmall(value: unknown): string | undefined {
  const parts: string[] = [];
  try {
    writeJson(value, parts, 0);
  } catch {
    return undefined; // GIVE_UP, or a getter or proxy that threw: the checked way says which
  }
  return parts.join("");
}

/**
 * Encodes `value` as JSON text, or throws a ValidationError (code `VALIDATION_ERROR`) that names the path
 * of the first part that is not JSON data: functions, symbols, BigInt, NaN/±Infinity, Date, Map, Set,
 * typed arrays, class instances, cycles, `undefined` (but for object properties, which are dropped as JSON
 * does), nesting deeper than MAX_VALUE_DEPTH.
 */
export function encodeValue(value: unknown, refId?: string): string {
  if (value === undefined) {
    throw ValidationError.single("value", "undefined cannot be stored; use null", "invalid_type", refId);
  }
  const small = encodeSmall(value);
  if (small !== undefined) return small;
  try {
    checkValue(value);
    return flat(JSON.stringify(value));
  } catch (error) {
    if (error instanceof Refusal) {
      throw new ValidationError("value", [{ path: error.path, message: error.message, code: "invalid_value" }], refId);
    }
    // Text longer than the runtime's longest string: too large to store under any maxValueBytes.
    if (error instanceof RangeError && !error.message.includes("call stack")) {
      throw ValidationError.single("value", "the value is too large to encode as JSON text", "too_big", refId);
    }
    // A getter or proxy that throws while being read: say so without quoting what it threw.
    throw ValidationError.single("value", "the value could not be read (a getter or proxy threw)", "custom", refId);
  }
}

/**
 * Decodes text written by `encodeValue`. Text that is not JSON (another writer sharing the store wrote
 * `NaN`, say) throws StoreError (`STORE_ERROR`) naming `refId`: never the parser's own message, which
 * quotes the text, so a value (an execute-only one too) is not shown in an error.
 */
export function decodeValue(data: string, refId?: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw notJsonText(refId);
  }
}

/** The error for stored text that is not JSON: what the store holds under `refId` was not written by `encodeValue`. */
export function notJsonText(refId: string | undefined): StoreError {
  const where = refId === undefined ? "the store" : `the store under refId "${refId}"`;
  return new StoreError(
    `The value in ${where} is not JSON text (another writer may have stored it); it cannot be read`,
    refId,
    undefined,
  );
}

/** Whether `value` holds an array or object more than `max` levels deep (`max` levels pass); walks without recursion. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: value, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { node, depth } = next;
    if (typeof node !== "object" || node === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === "object" && child !== null) stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

/**
 * The error to throw for `error`, met while walking `decoded()` (a value decoded from stored text): `error`
 * itself, unless it is the stack running out on a value nested deeper than `encodeValue` ever writes
 * (another writer's text), which is a StoreError (`STORE_ERROR`) naming `refId`, as for text that is not JSON.
 * Only an error path pays for the check.
 */
export function storedFault(error: unknown, decoded: () => unknown, refId: string): unknown {
  if (error instanceof RangeError && nestedDeeperThan(decoded(), MAX_VALUE_DEPTH)) {
    return new StoreError(
      `The value in the store under refId "${refId}" is nested deeper than ${MAX_VALUE_DEPTH} levels, which this ` +
        "library never writes (another writer may have stored it); it cannot be read",
      refId,
      undefined,
    );
  }
  return error;
}
