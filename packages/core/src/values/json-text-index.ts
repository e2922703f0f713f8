/**
 * Sizes of array items read off a value's stored JSON text instead of measured by walking its tree: the
 * stored text is compact JSON (what `encodeValue` writes), so an item's size is the length of its span.
 * Spans are found by scanning the text only as far as pages have gone, so paging a large array costs one
 * scan of its text (native `indexOf` over strings) rather than a walk or a stringify per page. Text that
 * is not compact (written by another encoder) is detected on the way and the caller measures instead.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** The text is not compact JSON as `encodeValue` writes it (whitespace, or not JSON at all). */
class NotCompact extends Error {}

/** The index just past the string whose opening quote is at `at`. */
function skipString(text: string, at: number): number {
  let end = at;
  for (;;) {
    end = text.indexOf('"', end + 1);
    if (end < 0) throw new NotCompact();
    let backslashes = 0;
    for (let k = end - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return end + 1;
  }
}

/**
 * The index just past the JSON value starting at `at`. One tight loop: strings are skipped with `indexOf`
 * (native), and anything at or below U+0020 outside a string (whitespace, or what JSON forbids) means the
 * text is not compact.
 */
function skipValue(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return skipString(text, at);
  const n = text.length;
  if (first === OPEN_ARRAY || first === OPEN_OBJECT) {
    let depth = 0;
    for (let i = at; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) {
        let end = text.indexOf('"', i + 1);
        while (end > 0 && text.charCodeAt(end - 1) === BACKSLASH) {
          let backslashes = 1;
          while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
          if (backslashes % 2 === 0) break;
          end = text.indexOf('"', end + 1);
        }
        if (end < 0) throw new NotCompact();
        i = end;
      } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) depth++;
      else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
        if (--depth === 0) return i + 1;
      } else if (code <= 0x20) throw new NotCompact();
    }
    throw new NotCompact();
  }
  let i = at;
  for (; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code === COMMA || code === CLOSE_ARRAY || code === CLOSE_OBJECT) break;
    if (code <= 0x20 || code === QUOTE || code === COLON) throw new NotCompact();
  }
  if (i === at) throw new NotCompact();
  return i;
}

/**
 * The children of one array or object in the text: where each starts and ends, found on demand. A child's
 * start is known before its end, so finding a key does not scan the value that follows it.
 */
class Children {
  /** Start of child i (its key, in an object). */
  readonly starts: number[] = [];
  /** End of child i's value; may be one shorter than `starts`. */
  readonly ends: number[] = [];
  readonly isObject: boolean;
  #next: number;
  #done = false;

  constructor(
    private readonly text: string,
    readonly open: number,
  ) {
    const code = text.charCodeAt(open);
    if (code !== OPEN_ARRAY && code !== OPEN_OBJECT) throw new NotCompact();
    this.isObject = code === OPEN_OBJECT;
    this.#next = open + 1;
    if (text.charCodeAt(this.#next) === (this.isObject ? CLOSE_OBJECT : CLOSE_ARRAY)) this.#done = true;
  }

  /** Finds where child `i` starts; returns whether it exists. */
  reachStart(i: number): boolean {
    while (this.starts.length <= i) {
      if (this.ends.length < this.starts.length) this.#endLast();
      if (this.#done) return false;
      this.starts.push(this.#next);
    }
    return true;
  }

  /** Finds where child `i` starts and ends; returns whether it exists. */
  reach(i: number): boolean {
    if (!this.reachStart(i)) return false;
    while (this.ends.length <= i) this.#endLast();
    return true;
  }

  /** Where child `i`'s value starts (child `i` reached). */
  valueStart(i: number): number {
    const start = this.starts[i] as number;
    if (!this.isObject) return start;
    if (this.text.charCodeAt(start) !== QUOTE) throw new NotCompact();
    const colon = skipString(this.text, start);
    if (this.text.charCodeAt(colon) !== COLON) throw new NotCompact();
    return colon + 1;
  }

  #endLast(): void {
    const end = skipValue(this.text, this.valueStart(this.ends.length));
    this.ends.push(end);
    const after = this.text.charCodeAt(end);
    if (after === COMMA) this.#next = end + 1;
    else if (after === (this.isObject ? CLOSE_OBJECT : CLOSE_ARRAY)) this.#done = true;
    else throw new NotCompact();
  }
}

/** Object keys in the text are compared decoded; most have no escapes and are sliced as they are. */
function keyAt(text: string, start: number): string {
  const end = skipString(text, start);
  const raw = text.slice(start + 1, end - 1);
  if (!raw.includes("\\")) return raw;
  try {
    return JSON.parse(text.slice(start, end)) as string;
  } catch {
    throw new NotCompact(); // not JSON: the tree's decoding says so, as a typed error
  }
}

/** Item sizes of the arrays of one stored value, by JSON Pointer tokens. */
export class JsonTextIndex {
  readonly #text: string;
  /** Containers indexed so far, by where they open in the text. */
  readonly #children = new Map<number, Children>();
  #broken = false;
  /** The tokens `arrayAt` was last asked for (as JSON text) and where they lead. */
  #lastTokens = "";
  #lastOpen = 0;

  constructor(text: string) {
    this.#text = text;
  }

  #childrenAt(open: number): Children {
    let children = this.#children.get(open);
    if (children === undefined) {
      children = new Children(this.#text, open);
      this.#children.set(open, children);
    }
    return children;
  }

  /** Pages are no longer cut from the text: it was found not to be what `encodeValue` writes. */
  markBroken(): void {
    this.#broken = true;
  }

  /**
   * The array at `tokens` (pointer tokens) as spans of the text, its items counted, or `undefined` when
   * the text cannot tell (the pointer names no array, or the text is not compact JSON).
   */
  arrayAt(tokens: readonly string[]): TextArray | undefined {
    if (this.#broken) return undefined;
    try {
      // A client pages one part in many calls: where its tokens lead is found once.
      const key = tokens.length === 0 ? "" : JSON.stringify(tokens);
      const known = key === this.#lastTokens;
      let open = known ? this.#lastOpen : 0;
      for (const token of known ? [] : tokens) {
        const children = this.#childrenAt(open);
        let index = -1;
        if (children.isObject) {
          // encodeValue never writes a key twice; text that does (another encoder) decodes to its last
          // match, so it is not paged off the text: every key is looked at.
          for (let i = 0; children.reachStart(i); i++) {
            if (keyAt(this.#text, children.starts[i] as number) !== token) continue;
            if (index >= 0) throw new NotCompact();
            index = i;
          }
        } else if (/^(?:0|[1-9][0-9]*)$/.test(token) && children.reachStart(Number(token))) {
          index = Number(token);
        }
        if (index < 0) return undefined;
        open = children.valueStart(index);
      }
      this.#lastTokens = key;
      this.#lastOpen = open;
      if (this.#text.charCodeAt(open) !== OPEN_ARRAY) return undefined;
      const items = this.#childrenAt(open);
      // Counting reaches every item, so text that is not compact shows here, before any page is built.
      let count = items.starts.length;
      while (items.reach(count)) count++;
      return { text: this.#text, count, starts: items.starts, ends: items.ends };
    } catch (error) {
      if (!(error instanceof NotCompact)) throw error;
      this.#broken = true;
      return undefined;
    }
  }
}

/** An array's items as spans of the stored text: item i is `text.slice(starts[i], ends[i])`. */
export interface TextArray {
  readonly text: string;
  readonly count: number;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}
