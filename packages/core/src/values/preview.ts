/**
 * Previews: a JSON value cut down to a budget, keeping its shape. Arrays are sampled evenly (first and
 * last kept), objects keep their keys in order while they fit, nested values are previewed in turn or
 * summarised, strings are cut at a code point; every omission is marked in place (markers.ts). The size
 * of a preview never exceeds its budget, for every JSON value and every budget of at least 64, and the
 * work is bounded by the budget, not by the value: sizes are measured with early exit (measure.ts).
 */
import { copyDecoded } from "../decoded-values.js";
import { fitToMeasure } from "./fit-measure.js";
import {
  arrayGapMarker,
  MIN_SHARE,
  objectRestKey,
  objectRestMarker,
  stringCutMarker,
  summaryMarker,
} from "./markers.js";
import { type Measure, sizeWithin, stringSize } from "./measure.js";
import { assertMaxChars } from "./value-budget.js";

/** A part of a preview and its compact JSON size. */
interface Built {
  out: unknown;
  size: number;
}

const ELLIPSIS: Built = { out: "…", size: 3 };

/** Sets `key` as an own data property, "__proto__" included (plain assignment would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A marker string as a built part, or "…" when even the marker does not fit. */
function marker(text: string, budget: number): Built {
  const size = text.length + 2;
  return size <= budget ? { out: text, size } : ELLIPSIS;
}

/** Compact JSON size of one UTF-16 code unit that is not half of a surrogate pair. */
function unitSize(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2;
  if (code < 0x20) return code === 8 || code === 9 || code === 10 || code === 12 || code === 13 ? 2 : 6;
  return code >= 0xd800 && code <= 0xdfff ? 6 : 1; // a lone surrogate is written \uXXXX
}

/**
 * How far `text` may be taken from `start` for its JSON to cost at most `room` characters (quotes not
 * counted): the end index, never inside a surrogate pair, and what the taken part costs.
 */
export function takeChars(text: string, start: number, room: number): { end: number; cost: number } {
  let cost = 0;
  let i = start;
  const n = text.length;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        if (cost + 2 > room) break;
        cost += 2;
        i += 2;
        continue;
      }
    }
    const size = unitSize(code);
    if (cost + size > room) break;
    cost += size;
    i++;
  }
  return { end: i, cost };
}

/** A string too long for `budget`, cut at a code point and ended by a marker of what was left out. */
function cutString(text: string, budget: number): Built {
  const room = budget - 2 - stringCutMarker(text.length).length;
  if (room < 0) return marker(summaryMarker(text), budget);
  const { end, cost } = takeChars(text, 0, room);
  const suffix = stringCutMarker(text.length - end);
  return { out: text.slice(0, end) + suffix, size: 2 + cost + suffix.length };
}

/**
 * Budgets for parts whose sizes (capped) are `sizes` and smallest useful budgets `least`, sharing `room`:
 * water-filling, smallest first, so parts that fit whole get their size and the rest share what is left
 * evenly; no part gets less than its `least`, which the caller made sure `room` covers.
 */
function shareOut(sizes: number[], least: number[], room: number): number[] {
  const order = sizes.map((_, i) => i).sort((a, b) => (sizes[a] as number) - (sizes[b] as number) || a - b);
  let leastAfter = 0;
  for (const l of least) leastAfter += l;
  const shares = new Array<number>(sizes.length).fill(0);
  let remaining = room;
  let left = sizes.length;
  for (const i of order) {
    const size = sizes[i] as number;
    const min = least[i] as number;
    leastAfter -= min;
    const fair = Math.floor(remaining / left);
    const share = Math.min(Math.max(min, Math.min(size, fair)), remaining - leastAfter);
    shares[i] = share;
    remaining -= share;
    left--;
  }
  return shares;
}

/** The smallest budget worth giving `value`: its whole size when that is small, else MIN_SHARE. */
function leastFor(value: unknown): number {
  return Math.min(MIN_SHARE, sizeWithin(value, MIN_SHARE));
}

/** The preview of `value` within `budget`; whole (a fresh copy) when it fits. */
export function fitValue(value: unknown, budget: number): Built {
  const size = sizeWithin(value, budget);
  if (size <= budget) return { out: copyDecoded(value), size };
  if (typeof value === "string") return cutString(value, budget);
  if (Array.isArray(value)) return fitArray(value, budget) ?? marker(summaryMarker(value), budget);
  if (typeof value === "object" && value !== null) {
    return fitObject(value as Record<string, unknown>, budget) ?? marker(summaryMarker(value), budget);
  }
  return ELLIPSIS; // a number longer than a budget below MIN_SHARE; never for budgets this module hands out
}

/**
 * `count` indexes of `0..n-1` spread evenly, first and last included (just the first for one), taken in
 * runs of `run` neighbours: where items are much smaller than the marker of a gap, a few runs say more
 * than many lone items each between two markers.
 */
function sampleIndexes(n: number, count: number, run: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  if (count <= 1) return count === 1 ? [0] : [];
  const length = Math.max(1, Math.min(run, Math.floor(count / 2)));
  const runs = Math.max(2, Math.floor(count / length));
  const out: number[] = [];
  for (let j = 0; j < runs; j++) {
    const start = Math.max(
      Math.round((j * (n - length)) / (runs - 1)),
      out.length > 0 ? (out.at(-1) as number) + 1 : 0,
    );
    for (let i = start; i < start + length && i < n; i++) out.push(i);
  }
  return out;
}

/** An array preview showing `count` sampled items, or `undefined` when they cannot fit in `budget`. */
function sampleArray(items: unknown[], count: number, run: number, budget: number): Built | undefined {
  const n = items.length;
  const picked = sampleIndexes(n, count, run);
  // The parts in order: an index for an item, a marker for each run of omitted items.
  const parts: (number | string)[] = [];
  let fixed = 2;
  let next = 0;
  for (const index of picked) {
    if (index > next) {
      const gap = arrayGapMarker(index - next, next, index - 1);
      parts.push(gap);
      fixed += gap.length + 2;
    }
    parts.push(index);
    next = index + 1;
  }
  if (next < n) {
    const gap = arrayGapMarker(n - next, next, n - 1);
    parts.push(gap);
    fixed += gap.length + 2;
  }
  fixed += parts.length - 1;
  if (fixed > budget) return undefined;
  const least = picked.map((i) => leastFor(items[i]));
  let leastTotal = 0;
  for (const l of least) leastTotal += l;
  const room = budget - fixed;
  if (leastTotal > room) return undefined;
  const sizes = picked.map((i) => sizeWithin(items[i], room));
  const shares = shareOut(sizes, least, room);
  const out: unknown[] = [];
  let size = fixed;
  let j = 0;
  for (const part of parts) {
    if (typeof part === "string") {
      out.push(part);
      continue;
    }
    const built = fitValue(items[part], shares[j++] as number);
    out.push(built.out);
    size += built.size;
  }
  return { out, size };
}

/** An array too big for `budget`, sampled; `undefined` when not even one marker fits. */
function fitArray(items: unknown[], budget: number): Built | undefined {
  const n = items.length;
  const probes = Math.min(n, 8);
  let probed = 0;
  for (let p = 0; p < probes; p++) {
    const index = probes === 1 ? 0 : Math.round((p * (n - 1)) / (probes - 1));
    probed += Math.min(sizeWithin(items[index], budget), budget);
  }
  const typical = Math.max(1, probed / probes);
  const gap = arrayGapMarker(n, n, n).length + 2; // at least as long as any gap marker
  // Runs of neighbours as long as a gap marker is, in items (lone items when items are that large).
  const run = Math.max(1, Math.min(16, Math.floor(gap / (typical + 1))));
  let count = run * Math.floor((budget - 2 + gap + 1) / (run * (typical + 1) + gap + 1));
  count = Math.max(Math.min(n, 2), Math.min(n, count));
  let built: Built | undefined;
  for (;;) {
    built = sampleArray(items, count, run, budget);
    if (built !== undefined || count === 0) break;
    count = count > 2 ? Math.floor(count / 2) : count - 1;
  }
  // The estimate came from a few items; when most of the budget is left, show more of them.
  if (built !== undefined && count >= 2 && count < n && built.size < budget * 0.7) {
    const more = Math.min(n, Math.floor(((count * budget) / Math.max(built.size, 1)) * 0.8));
    if (more > count) built = sampleArray(items, more, run, budget) ?? built;
  }
  return built;
}

/** An object too big for `budget`: its first keys with previews of their values, then a marker of the rest. */
function fitObject(object: Record<string, unknown>, budget: number): Built | undefined {
  const keys: string[] = [];
  for (const key of Object.keys(object)) if (object[key] !== undefined) keys.push(key);
  const n = keys.length;
  const restKey = objectRestKey(object);
  // Room for the rest entry with the largest count it can say (its comma included).
  const restMax = 1 + stringSize(restKey) + 1 + objectRestMarker(n).length + 2;
  let fixed = 2;
  let leastTotal = 0;
  const least: number[] = [];
  let shown = 0;
  for (; shown < n; shown++) {
    const key = keys[shown] as string;
    const min = leastFor(object[key]);
    const add = (shown > 0 ? 1 : 0) + stringSize(key) + 1;
    const rest = shown + 1 < n ? restMax : 0;
    if (fixed + add + leastTotal + min + rest > budget) break;
    fixed += add;
    leastTotal += min;
    least.push(min);
  }
  let restText: string | undefined;
  if (shown < n) {
    restText = objectRestMarker(n - shown);
    fixed += (shown > 0 ? 1 : 0) + stringSize(restKey) + 1 + restText.length + 2;
    if (fixed + leastTotal > budget) return undefined;
  }
  const room = budget - fixed;
  const sizes = keys.slice(0, shown).map((key) => sizeWithin(object[key], room));
  const shares = shareOut(sizes, least, room);
  const out: Record<string, unknown> = {};
  let size = fixed;
  for (let i = 0; i < shown; i++) {
    const key = keys[i] as string;
    const built = fitValue(object[key], shares[i] as number);
    setOwn(out, key, built.out);
    size += built.size;
  }
  if (restText !== undefined) setOwn(out, restKey, restText);
  return { out, size };
}

/** A preview and its sizes, without the ref id of a stored value. */
export interface PreviewResult {
  /** The value cut down to the budget, omissions marked in place; the value itself when `complete`. */
  preview: unknown;
  /** Whether `preview` is the whole value. */
  complete: boolean;
  /** Measured size of `preview` (compact JSON characters by default); at most the budget. */
  chars: number;
  /** Measured size of the whole value. */
  totalChars: number;
}

/** Options of `previewValue`. */
export interface PreviewValueOptions {
  /** Budget (≥ 64), in the unit `measure` counts. */
  maxChars: number;
  /** Counts a compact JSON text; default: its length in UTF-16 code units. */
  measure?: Measure | undefined;
  /** The whole value's size when already known (e.g. a stored value's JSON text length). */
  totalChars?: number | undefined;
}

/**
 * A preview of `value` (JSON data) within `maxChars`: see the module comment. Pure and deterministic: the
 * same value and budget give the same preview. With the default measure, `chars ≤ maxChars` for every
 * JSON value and every `maxChars ≥ 64`; with a custom `measure` the budget is met as far as a few builds
 * at scaled character budgets find. Throws ValidationError (`VALIDATION_ERROR`) for a `maxChars` that is not
 * a whole number from 64 to 2³¹−1.
 */
export function previewValue(value: unknown, options: PreviewValueOptions): PreviewResult {
  const { maxChars, measure } = options;
  assertMaxChars(maxChars);
  if (measure === undefined) {
    const total = options.totalChars ?? sizeWithin(value, Number.POSITIVE_INFINITY);
    if (total <= maxChars) return { preview: copyDecoded(value), complete: true, chars: total, totalChars: total };
    const built = fitValue(value, maxChars);
    return { preview: built.out, complete: false, chars: built.size, totalChars: total };
  }
  const totalChars = options.totalChars ?? measureText(value, measure);
  const whole = sizeWithin(value, Number.POSITIVE_INFINITY);
  const { result, size } = fitToMeasure(
    maxChars,
    measure,
    (charBudget) => {
      const complete = whole <= charBudget;
      return { out: complete ? value : fitValue(value, charBudget).out, complete };
    },
    (r) => JSON.stringify(r.out) ?? "null",
    (r) => r.complete,
  );
  const complete = result.complete && size <= maxChars;
  return { preview: result.complete ? copyDecoded(value) : result.out, complete, chars: size, totalChars };
}

function measureText(value: unknown, measure: Measure): number {
  return measure(JSON.stringify(value) ?? "null");
}
