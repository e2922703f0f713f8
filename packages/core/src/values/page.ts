/**
 * Lossless paging of a JSON value, or of the part a JSON Pointer names: an array page is a slice of its
 * items, an object page some of its keys in order, a string page a substring (never splitting a surrogate
 * pair), a scalar its own page. Following `nextCursor` from the first page and joining the pages gives the
 * part back exactly; an item too big for any page stands as its preview and is listed in `partial`, to be
 * paged at its own pointer. Each page costs work in proportion to the page, never to the whole value.
 */

import { decodeValue } from "../codec.js";
import type { PagedTree } from "../decoded-values.js";
import { copyDecoded } from "../decoded-values.js";
import { refuseCursor } from "./cursor.js";
import { fitToMeasure } from "./fit-measure.js";
import { appendJsonPointer, resolveTokens } from "./json-pointer.js";
import type { TextArray } from "./json-text-index.js";
import { MIN_SHARE } from "./markers.js";
import { type Measure, sizeWithin, stringSize } from "./measure.js";
import { keysOf, partCursors, type Start, startOf } from "./page-start.js";
import { fitValue, setOwn, takeChars } from "./preview.js";
import { assertMaxChars } from "./value-budget.js";

/**
 * One page of a stored value, or of the part of it `path` names.
 *
 * - `value` has the part's kind: an array slice, an object holding some of its keys (in order), a
 *   substring, or the scalar itself.
 * - `offset` and `total` count items, keys or characters (UTF-16 code units); a scalar has total 1.
 * - `nextCursor` is present while more follows; pass it back to get the next page.
 * - `partial` lists, as JSON Pointers from the value's root, items that alone exceed the budget (at most
 *   one a page: the page's first item): each stands in `value` as its preview, to be paged on its own.
 * - `partialCursors`, beside `partial`: for each of its items, in the same order, the cursor of the item's
 *   first page. Page an item with `cursor` set to that; or with `path` set to its pointer, unless the
 *   pointer is longer than `JSON_POINTER_MAX_LENGTH` (keys of any length make one) or, in a URI, holds a
 *   lone surrogate (a key may hold one; percent-encoding, which is of UTF-8, cannot carry it).
 * - `chars` is the measured size of `value`; at most the budget, but for an object page whose first key
 *   leaves less than `MIN_SHARE` (28) characters of the budget for its value (keys are never cut): that
 *   entry's value still gets 28, and the page measures at most the key's JSON text plus 31.
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
  partialCursors?: string[];
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

interface Built {
  value: unknown;
  end: number;
  size: number;
  /** Pointers of the items that stand as previews, and their positions (index, or key index) in the part. */
  partial: string[];
  partialAt: number[];
}

/** Items sized one by one at the start of an array page, to guess how many fit. */
const PROBE_ITEMS = 8;
/** Fewer items than this are not worth a chunk. */
const MIN_CHUNK = 16;

function pageArray(items: unknown[], path: string, offset: number, budget: number): Built {
  const out: unknown[] = [];
  const partial: string[] = [];
  const partialAt: number[] = [];
  let size = 2;
  let i = offset;
  // Runs of small items are sized in chunks, a chunk guessed too large is dropped and the items are then
  // sized one by one. A chunk's walk stops past the room left: a huge item in it costs no more than a page.
  let probed = 0;
  const probeEnd = Math.min(items.length, i + PROBE_ITEMS);
  for (let j = i; j < probeEnd; j++) probed += sizeWithin(items[j], budget);
  const typical = probeEnd > i ? probed / (probeEnd - i) : 1;
  while (i < items.length) {
    const separator = out.length > 0 ? 1 : 0;
    const count = Math.floor(((budget - size - separator) * 0.9) / (typical + 1));
    if (count < MIN_CHUNK) break;
    const chunk = items.slice(i, i + count);
    const chunkSize = sizeWithin(chunk, budget - size - separator + 2) - 2;
    if (size + separator + chunkSize > budget) break;
    for (const item of chunk) out.push(copyDecoded(item));
    size += separator + chunkSize;
    i += chunk.length;
  }
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
      partialAt.push(i);
    } else {
      break;
    }
  }
  return { value: out, end: i, size, partial, partialAt };
}

function pageObject(object: Record<string, unknown>, path: string, offset: number, budget: number): Built {
  const keys = keysOf(object);
  const out: Record<string, unknown> = {};
  const partial: string[] = [];
  const partialAt: number[] = [];
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
      partialAt.push(i);
    } else {
      break;
    }
    shown++;
  }
  return { value: out, end: i, size, partial, partialAt };
}

function pageString(text: string, offset: number, budget: number): Built {
  const { end, cost } = takeChars(text, offset, budget - 2);
  return { value: text.slice(offset, end), end, size: cost + 2, partial: [], partialAt: [] };
}

function buildPage(part: unknown, path: string, offset: number, budget: number): Built {
  if (typeof part === "string") return pageString(part, offset, budget);
  if (Array.isArray(part)) return pageArray(part, path, offset, budget);
  if (typeof part === "object" && part !== null) {
    return pageObject(part as Record<string, unknown>, path, offset, budget);
  }
  return { value: part, end: 1, size: sizeWithin(part, Number.POSITIVE_INFINITY), partial: [], partialAt: [] };
}

/** How many items, keys or characters the part holds (a scalar counts as one). */
function totalOf(part: unknown): number {
  if (typeof part === "string" || Array.isArray(part)) return part.length;
  if (typeof part === "object" && part !== null) return keysOf(part).length;
  return 1;
}

/**
 * A page of `root` (a value stored under `refId` at `version`), or of the part `path` names, starting
 * where `cursor` says (the first page without one). Throws ValidationError (`VALIDATION_ERROR`) for a
 * `maxChars` that is not a whole number from 64 to 2³¹−1, a malformed or foreign cursor, a cursor for
 * another version of the value, a cursor whose path differs from `path`, a pointer that does not resolve,
 * or a cursor past the end or inside a surrogate pair.
 */
export function pageValue(root: unknown, options: PageValueOptions): ValuePage {
  const { refId } = options;
  assertMaxChars(options.maxChars, refId);
  const start = startOf(options, () => root);
  const part = resolveTokens(root, start.tokens, refId);
  return pageOfPart(part, totalOf(part), { ...options, ...start }, () => root);
}

/**
 * A page of a stored value kept as JSON text (see `PagedTree`): an array is paged off the text, each page
 * decoding only its own items; anything else, or text that is not compact, pages the decoded tree.
 */
export function pageStored(stored: PagedTree, options: Omit<PageValueOptions, "version">): ValuePage {
  assertMaxChars(options.maxChars, options.refId);
  const all = { ...options, version: stored.version };
  const start = startOf(all, () => stored.tree);
  if (options.measure === undefined) {
    const array = stored.index.arrayAt(start.tokens);
    if (array !== undefined) {
      checkOffset(start.offset, array.count, start.fromCursor, undefined, options.refId);
      const built = pageTextArray(array, start.path, start.offset, options.maxChars, options.refId);
      if (built !== undefined) return finish(built, array.count, { ...all, ...start }, () => stored.tree);
      // Text another encoder wrote, whose spans do not measure its items: the decoded tree is paged.
      stored.index.markBroken();
    }
  }
  const part = resolveTokens(stored.tree, start.tokens, options.refId);
  return pageOfPart(part, totalOf(part), { ...all, ...start }, () => stored.tree);
}

function checkOffset(offset: number, total: number, fromCursor: boolean, part: unknown, refId: string): void {
  if (!fromCursor) return;
  if (offset >= total) throw refuseCursor(`the cursor points past the end (${offset} of ${total})`, refId);
  if (typeof part === "string" && offset > 0) {
    const before = part.charCodeAt(offset - 1);
    const at = part.charCodeAt(offset);
    if (before >= 0xd800 && before <= 0xdbff && at >= 0xdc00 && at <= 0xdfff) {
      throw refuseCursor("the cursor points inside a character (a surrogate pair)", refId);
    }
  }
}

function pageOfPart(part: unknown, total: number, options: PageValueOptions & Start, root: () => unknown): ValuePage {
  const { path, offset, maxChars, measure, refId } = options;
  checkOffset(offset, total, options.fromCursor, part, refId);
  if (measure === undefined) return finish(buildPage(part, path, offset, maxChars), total, options, root);
  const fitted = fitToMeasure(
    maxChars,
    measure,
    (charBudget) => buildPage(part, path, offset, charBudget),
    (b) => JSON.stringify(b.value) ?? "null",
    (b) => b.end >= total && b.partial.length === 0,
  );
  return finish({ ...fitted.result, size: fitted.size }, total, options, root);
}

function finish(built: Built, total: number, options: PageValueOptions & Start, root: () => unknown): ValuePage {
  const { refId, version, path, offset } = options;
  const page: ValuePage = { refId, path, value: built.value, offset, total, chars: built.size, version };
  const cursorOf = partCursors(options, root);
  if (built.end < total) page.nextCursor = cursorOf(path, built.end);
  if (built.partial.length > 0) {
    page.partial = built.partial;
    page.partialCursors = built.partial.map((pointer, j) => cursorOf(pointer, 0, built.partialAt[j]));
  }
  return page;
}

/**
 * What, in a page's text, may make its length differ from the length of `JSON.stringify` of its items:
 * what `encodeValue` (JSON.stringify's own text) never writes, and another encoder may. A number with an
 * exponent (`9e20`, which JSON.stringify writes in 21 digits), a fraction ending in zero (`1.50`), `-0`,
 * an escape (`\u0041`, `\/`) and a lone surrogate, raw (JSON.stringify escapes it). A number is matched
 * where a number starts (after `:`, `,` or `[`; the text is tested between commas), so ids in strings
 * such as `"3e4f"` do not match; what does match is measured, which costs one `JSON.stringify` of the
 * page. Only an exponent or a raw lone surrogate can make an item longer than its span.
 */
const MAY_MEASURE_OTHERWISE =
  /[:,[]-?\d+(?:\.\d+)?[eE]|[:,[]-?\d+\.\d*0[,\]}]|[:,[]-0[,\]}]|\\[u/]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A page of an array cut from its stored text: item sizes are span lengths, and the page's items are
 * decoded from their span alone. An item too big for any page is decoded on its own for its preview.
 * `undefined` when the page's text does not measure its items (text `encodeValue` did not write): its
 * spans are then no sizes, and the decoded tree is to be paged instead. Items that repeat a key (which
 * `encodeValue` never writes) measure less than their spans: such a page may hold fewer items than it
 * could, and its `chars` counts the text (more than the items measure), never more than the budget.
 */
function pageTextArray(
  array: TextArray,
  path: string,
  offset: number,
  budget: number,
  refId: string,
): Built | undefined {
  const { text, starts, ends, count } = array;
  const partial: string[] = [];
  const partialAt: number[] = [];
  let lead: unknown[] = [];
  let size = 2;
  let i = offset;
  const itemSize = (k: number) => (ends[k] as number) - (starts[k] as number);
  if (i < count && 2 + itemSize(i) > budget) {
    const built = fitValue(decodeValue(text.slice(starts[i] as number, ends[i] as number), refId), budget - 2);
    lead = [built.out];
    size += built.size;
    partial.push(appendJsonPointer(path, i));
    partialAt.push(i);
    i++;
  }
  const first = i;
  for (; i < count; i++) {
    const separator = i > first || lead.length > 0 ? 1 : 0;
    if (size + separator + itemSize(i) > budget) break;
    size += separator + itemSize(i);
  }
  const body = i > first ? text.slice(starts[first] as number, ends[i - 1] as number) : "";
  const whole: unknown[] = i > first ? (decodeValue(`[${body}]`, refId) as unknown[]) : [];
  if (MAY_MEASURE_OTHERWISE.test(`,${body},`) && (JSON.stringify(whole) as string).length !== body.length + 2) {
    return undefined;
  }
  return { value: lead.length > 0 ? lead.concat(whole) : whole, end: i, size, partial, partialAt };
}
