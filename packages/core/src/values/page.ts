/**
 * Lossless paging of a JSON value, or of the part a JSON Pointer names: an array page is a slice of its
 * items, an object page some of its keys in order, a string page a substring (never splitting a surrogate
 * pair), a scalar its own page. Following `nextCursor` from the first page and joining the pages gives the
 * part back exactly; an item too big for any page stands as its preview and is listed in `partial`, to be
 * paged at its own pointer. Each page costs work in proportion to the page, never to the whole value.
 */
import { copyDecoded } from "../decoded-values.js";
import { ValidationError } from "../errors.js";
import { assertCursorVersion, decodeCursor, encodeCursor } from "./cursor.js";
import { fitToMeasure } from "./fit-measure.js";
import { appendJsonPointer, parseJsonPointer, resolveJsonPointer } from "./json-pointer.js";
import { MIN_SHARE } from "./markers.js";
import { type Measure, sizeWithin, stringSize } from "./measure.js";
import { fitValue, setOwn, takeChars } from "./preview.js";

/**
 * One page of a stored value, or of the part of it `path` names.
 *
 * - `value` has the part's kind: an array slice, an object holding some of its keys (in order), a
 *   substring, or the scalar itself.
 * - `offset` and `total` count items, keys or characters (UTF-16 code units); a scalar has total 1.
 * - `nextCursor` is present while more follows; pass it back to get the next page.
 * - `partial` lists, as JSON Pointers from the value's root, items that alone exceed the budget: each
 *   stands in `value` as its preview; page it with `path` set to its pointer.
 * - `chars` is the measured size of `value`; at most the budget, but for an object entry whose key alone
 *   is longer than the budget (keys are never cut), which may exceed it by that key.
 */
export interface ValuePage {
  refId: string;
  /** JSON Pointer (RFC 6901) of the part paged; `""` for the whole value. */
  path: string;
  value: unknown;
  offset: number;
  total: number;
  nextCursor?: string;
  partial?: string[];
  chars: number;
  /** Version of the stored value (changes on every write); cursors are bound to it. */
  version: string;
}

/** Options of `pageValue`. */
export interface PageValueOptions {
  refId: string;
  /** The value's version; cursors carry it and are refused for another. */
  version: string;
  /** A `nextCursor` of an earlier page. */
  cursor?: string | undefined;
  /** JSON Pointer of the part to page (default `""`, or the cursor's). */
  path?: string | undefined;
  /** Budget (≥ 64), in the unit `measure` counts. */
  maxChars: number;
  measure?: Measure | undefined;
}

/** Object keys in order, kept for large objects of kept trees, so a page does not list all keys again. */
const keyLists = new WeakMap<object, string[]>();
const KEY_LIST_MIN = 64;

function keysOf(object: object): string[] {
  let keys = keyLists.get(object);
  if (keys === undefined) {
    keys = Object.keys(object);
    if (keys.length >= KEY_LIST_MIN) keyLists.set(object, keys);
  }
  return keys;
}

interface Built {
  value: unknown;
  end: number;
  size: number;
  partial: string[];
}

function pageArray(items: unknown[], path: string, offset: number, budget: number): Built {
  const out: unknown[] = [];
  const partial: string[] = [];
  let size = 2;
  let i = offset;
  for (; i < items.length; i++) {
    const item = items[i];
    const separator = out.length > 0 ? 1 : 0;
    const itemSize = sizeWithin(item, budget - 2);
    if (size + separator + itemSize <= budget) {
      out.push(copyDecoded(item));
      size += separator + itemSize;
    } else if (out.length === 0) {
      // Alone too big for any page: its preview stands in for it.
      const built = fitValue(item, budget - 2);
      out.push(built.out);
      size += built.size;
      partial.push(appendJsonPointer(path, i));
    } else {
      break;
    }
  }
  return { value: out, end: i, size, partial };
}

function pageObject(object: Record<string, unknown>, path: string, offset: number, budget: number): Built {
  const keys = keysOf(object);
  const out: Record<string, unknown> = {};
  const partial: string[] = [];
  let size = 2;
  let shown = 0;
  let i = offset;
  for (; i < keys.length; i++) {
    const key = keys[i] as string;
    const item = object[key];
    const separator = shown > 0 ? 1 : 0;
    const keySize = stringSize(key);
    // A key is never cut: past the budget on its own, its value still gets the smallest useful room.
    const room = Math.max(MIN_SHARE, budget - 3 - keySize);
    const itemSize = sizeWithin(item, room);
    if (size + separator + keySize + 1 + itemSize <= budget || (shown === 0 && itemSize <= room)) {
      setOwn(out, key, copyDecoded(item));
      size += separator + keySize + 1 + itemSize;
    } else if (shown === 0) {
      const built = fitValue(item, room);
      setOwn(out, key, built.out);
      size += keySize + 1 + built.size;
      partial.push(appendJsonPointer(path, key));
    } else {
      break;
    }
    shown++;
  }
  return { value: out, end: i, size, partial };
}

function pageString(text: string, offset: number, budget: number): Built {
  const { end, cost } = takeChars(text, offset, budget - 2);
  return { value: text.slice(offset, end), end, size: cost + 2, partial: [] };
}

function buildPage(part: unknown, path: string, offset: number, budget: number): Built {
  if (typeof part === "string") return pageString(part, offset, budget);
  if (Array.isArray(part)) return pageArray(part, path, offset, budget);
  if (typeof part === "object" && part !== null) {
    return pageObject(part as Record<string, unknown>, path, offset, budget);
  }
  return { value: part, end: 1, size: sizeWithin(part, Number.POSITIVE_INFINITY), partial: [] };
}

/** How many items, keys or characters the part holds (a scalar counts as one). */
function totalOf(part: unknown): number {
  if (typeof part === "string" || Array.isArray(part)) return part.length;
  if (typeof part === "object" && part !== null) return keysOf(part).length;
  return 1;
}

function refuse(message: string, refId: string): ValidationError {
  return ValidationError.single("cursor", message, "invalid_value", refId);
}

/**
 * A page of `root` (a value stored under `refId` at `version`), or of the part `path` names, starting
 * where `cursor` says (the first page without one). Throws ValidationError (`VALIDATION_ERROR`) for a
 * malformed or foreign cursor, a cursor for another version of the value, a cursor whose path differs
 * from `path`, a pointer that does not resolve, or a cursor past the end or inside a surrogate pair.
 */
export function pageValue(root: unknown, options: PageValueOptions): ValuePage {
  const { refId, version, maxChars, measure } = options;
  let path = options.path ?? "";
  let offset = 0;
  if (options.cursor !== undefined) {
    const cursor = decodeCursor(options.cursor, refId);
    assertCursorVersion(cursor, version, refId);
    if (options.path !== undefined && options.path !== cursor.path) {
      throw refuse(`the cursor pages "${cursor.path}", not the path given ("${options.path}")`, refId);
    }
    path = cursor.path;
    offset = cursor.offset;
  } else {
    parseJsonPointer(path, refId); // a malformed pointer is refused as such, before resolving
  }
  const part = resolveJsonPointer(root, path, refId);
  const total = totalOf(part);
  if (options.cursor !== undefined) {
    if (offset >= total) throw refuse(`the cursor points past the end (${offset} of ${total})`, refId);
    if (typeof part === "string" && offset > 0) {
      const before = part.charCodeAt(offset - 1);
      const at = part.charCodeAt(offset);
      if (before >= 0xd800 && before <= 0xdbff && at >= 0xdc00 && at <= 0xdfff) {
        throw refuse("the cursor points inside a character (a surrogate pair)", refId);
      }
    }
  }
  let built: Built;
  let chars: number;
  if (measure === undefined) {
    built = buildPage(part, path, offset, maxChars);
    chars = built.size;
  } else {
    const fitted = fitToMeasure(
      maxChars,
      measure,
      (charBudget) => buildPage(part, path, offset, charBudget),
      (b) => JSON.stringify(b.value) ?? "null",
      (b) => b.end >= total && b.partial.length === 0,
    );
    built = fitted.result;
    chars = fitted.size;
  }
  const page: ValuePage = { refId, path, value: built.value, offset, total, chars, version };
  if (built.end < total) page.nextCursor = encodeCursor({ version, path, offset: built.end });
  if (built.partial.length > 0) page.partial = built.partial;
  return page;
}
