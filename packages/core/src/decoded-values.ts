/**
 * Large values, once decoded, kept for the next reads: a read must hand out a fresh copy the caller may
 * change, and copying a decoded tree (strings are immutable, so shared) costs a fraction of parsing the
 * JSON text again. Bounded by the text length of what it keeps, least recently read dropped first.
 */
import { decodeValue } from "./codec.js";
import { JsonTextIndex } from "./values/json-text-index.js";

/** Values whose JSON text is at least this long keep their decoded tree. */
export const DECODED_MIN_LENGTH = 64 * 1024;
/** Most JSON text whose trees are kept at once (the trees take a few times as much heap). */
export const DECODED_BUDGET_LENGTH = 4 * 1024 * 1024;

/**
 * A deep copy of decoded JSON data, the same as `JSON.parse` of its text would give: plain objects in
 * the same key order, arrays, and the same primitives. Spread and slice copy a whole level at once
 * (an own "__proto__" stays an own property, as JSON.parse makes it); only nested objects are visited.
 */
export function copyDecoded(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = value.slice();
    for (let i = 0; i < out.length; i++) {
      const item = out[i];
      if (typeof item === "object" && item !== null) out[i] = copyDecoded(item);
    }
    return out;
  }
  const out: Record<string, unknown> = { ...value };
  for (const key in out) {
    const item = out[key];
    if (typeof item === "object" && item !== null && Object.hasOwn(out, key)) out[key] = copyDecoded(item);
  }
  return out;
}

/**
 * Most JSON text whose trees are kept at once for previews and pages, which read a value in many small
 * calls; the tree read last is kept even when larger, so paging any value to its end parses it once. The
 * text is kept beside the tree (for a memory store it is the stored string itself, not a copy).
 */
export const PAGED_BUDGET_LENGTH = 16 * 1024 * 1024;

/**
 * A value kept for previews and pages, which read it in many small calls: its stored JSON text, with an
 * index of where its arrays' items lie (array pages are cut from the text), and its decoded tree, made
 * on first need (previews, and pages of anything but an array). Both are only read, never handed out.
 */
export class PagedTree {
  readonly index: JsonTextIndex;
  #tree: unknown;
  #decoded = false;

  constructor(
    readonly refId: string,
    readonly version: string,
    readonly text: string,
  ) {
    this.index = new JsonTextIndex(text);
  }

  /** Length of the JSON text: the value's size in compact JSON characters. */
  get length(): number {
    return this.text.length;
  }

  /**
   * The tree for a read that need not keep it (a preview): the kept one when decoded already; else, for
   * text over DECODED_BUDGET_LENGTH, one decoded for this read alone. Kept, a large tree lives on into V8's
   * old generation, and collecting it made a cold preview of 10 MB cost 2.3–2.9× one JSON.parse instead of
   * ~1.1× (`pnpm bench`, line "10 MB preview"); pages of its arrays are cut from the text, and a page that
   * needs the tree keeps it.
   */
  get passingTree(): unknown {
    if (this.#decoded || this.text.length <= DECODED_BUDGET_LENGTH) return this.tree;
    return decodeValue(this.text, this.refId);
  }

  get tree(): unknown {
    if (!this.#decoded) {
      this.#tree = decodeValue(this.text, this.refId);
      this.#decoded = true;
    }
    return this.#tree;
  }
}

/**
 * Large values a RefCache has decoded, kept for its next reads: the trees of `get` (up to 4 MiB of text) and
 * of previews and pages (up to 16 MiB, the last read always kept), least recently read dropped first. A cache
 * has its own; `RefCacheOptions.decodedValues` shares one among caches over the same stores (on Workers, the
 * caches made per request). Its methods are the RefCache's: construct it and pass it, nothing more.
 */
export class DecodedValues {
  /** By key, in order of last read: the text a tree was decoded from, and the tree (never handed out). */
  readonly #trees = new Map<string, { data: string; tree: unknown }>();
  #length = 0;
  /** Trees being previewed or paged, by key, in order of last read; only values read that way are here. */
  readonly #paged = new Map<string, PagedTree>();
  #pagedLength = 0;

  /** The tree kept for paging `key` at `version`, if any. */
  pagedTree(key: string, version: string): PagedTree | undefined {
    const kept = this.#paged.get(key);
    if (kept === undefined || kept.version !== version) return undefined;
    this.#paged.delete(key);
    this.#paged.set(key, kept);
    return kept;
  }

  /** Keeps `data` (the value under `key` at `version`) for further previews and pages. */
  keepPaged(key: string, version: string, data: string): PagedTree {
    this.#forgetPaged(key);
    const kept = new PagedTree(key, version, data);
    this.#paged.set(key, kept);
    this.#pagedLength += kept.length;
    for (const [oldest, entry] of this.#paged) {
      if (this.#pagedLength <= PAGED_BUDGET_LENGTH || oldest === key) break;
      this.#paged.delete(oldest);
      this.#pagedLength -= entry.length;
    }
    return kept;
  }

  #forgetPaged(key: string): void {
    const kept = this.#paged.get(key);
    if (kept === undefined) return;
    this.#paged.delete(key);
    this.#pagedLength -= kept.length;
  }

  /** The value `data` (stored under `key`) encodes, as a fresh copy. */
  decode(key: string, data: string): unknown {
    if (data.length < DECODED_MIN_LENGTH || data.length > DECODED_BUDGET_LENGTH) return decodeValue(data, key);
    const kept = this.#trees.get(key);
    // The text is compared, not trusted: another instance sharing the store may have written the key.
    if (kept !== undefined && kept.data === data) {
      this.#trees.delete(key);
      this.#trees.set(key, kept);
      return this.#copy(kept.tree, data);
    }
    this.forget(key);
    const tree = decodeValue(data, key);
    this.#trees.set(key, { data, tree });
    this.#length += data.length;
    for (const [oldest, entry] of this.#trees) {
      if (this.#length <= DECODED_BUDGET_LENGTH) break;
      this.#trees.delete(oldest);
      this.#length -= entry.data.length;
    }
    return this.#copy(tree, data);
  }

  /** Drops the tree kept for `key` (its value was replaced or deleted). */
  forget(key: string): void {
    this.#forgetPaged(key);
    const kept = this.#trees.get(key);
    if (kept === undefined) return;
    this.#trees.delete(key);
    this.#length -= kept.data.length;
  }

  /** Drops every tree kept. */
  clear(): void {
    this.#trees.clear();
    this.#length = 0;
    this.#paged.clear();
    this.#pagedLength = 0;
  }

  /** A copy of `tree`; should it be too deep to copy on the stack, a parse of its text instead. */
  #copy(tree: unknown, data: string): unknown {
    try {
      return copyDecoded(tree);
    } catch {
      return decodeValue(data);
    }
  }
}
