/**
 * Where a page starts, and how a cursor names the part it pages: by its JSON Pointer while that keeps
 * the cursor short, else by its positions from the root (item indexes, key indexes in `keysOf` order).
 * A cursor's part is resolved against the value (its version checked first); a part paged by `path`
 * finds its positions only when a cursor of it needs them.
 */
import { assertCursorVersion, decodeCursor, encodeCursor, refuseCursor } from "./cursor.js";
import { appendJsonPointer, JSON_POINTER_MAX_LENGTH, parseJsonPointer } from "./json-pointer.js";

/** Key lists of large objects of kept trees, so a page does not list all keys again. */
const keyLists = new WeakMap<object, string[]>();
const KEY_LIST_MIN = 64;

/** Object keys in order (`Object.keys`): the order pages list keys in and positions count them in. */
export function keysOf(object: object): string[] {
  let keys = keyLists.get(object);
  if (keys === undefined) {
    keys = Object.keys(object);
    if (keys.length >= KEY_LIST_MIN) keyLists.set(object, keys);
  }
  return keys;
}

/**
 * Longest cursor that names its part by pointer (characters); past it (long keys, or keys whose UTF-8
 * JSON text is long) a cursor names the part by positions, so it stays short whatever the keys: at most
 * a few characters a level (a value is at most `MAX_VALUE_DEPTH` deep). Finding the positions of a part
 * paged by `path` costs a look through the keys of each object on its way, and a page from such a cursor
 * decodes the value (an array page by pointer is cut from the stored text).
 */
const SHORT_CURSOR_LENGTH = 512;

/** Where a page starts: the part (its pointer, tokens and, when a cursor gave them, positions) and offset. */
export interface Start {
  path: string;
  tokens: string[];
  positions: readonly number[] | undefined;
  offset: number;
  fromCursor: boolean;
}

/** Where the page starts: the cursor's part and offset (checked against the value's version), else `path` at 0. */
export function startOf(options: StartOptions, root: () => unknown): Start {
  const { refId, version } = options;
  if (options.cursor === undefined) {
    const path = options.path ?? "";
    // A malformed pointer is refused as such, before resolving.
    return { path, tokens: parseJsonPointer(path, refId), positions: undefined, offset: 0, fromCursor: false };
  }
  const cursor = decodeCursor(options.cursor, refId);
  assertCursorVersion(cursor, version, refId);
  const positions = typeof cursor.path === "string" ? undefined : cursor.path;
  const tokens =
    positions === undefined ? parseJsonPointer(cursor.path as string, refId) : tokensAt(root(), positions, refId);
  const path = positions === undefined ? (cursor.path as string) : pointerOf(tokens);
  if (options.path !== undefined && options.path !== path) {
    throw refuseCursor(
      `the cursor pages "${path.slice(0, 200)}", not the path given ("${options.path.slice(0, 200)}")`,
      refId,
    );
  }
  return { path, tokens, positions, offset: cursor.offset, fromCursor: true };
}

const pointerOf = (tokens: readonly string[]): string => tokens.reduce<string>(appendJsonPointer, "");

/** The tokens of the part at `positions` (item indexes, key indexes in `keysOf` order) in `root`. */
function tokensAt(root: unknown, positions: readonly number[], refId: string): string[] {
  const tokens: string[] = [];
  let node = root;
  for (const at of positions) {
    const token = Array.isArray(node)
      ? at < node.length
        ? String(at)
        : undefined
      : typeof node === "object" && node !== null
        ? keysOf(node)[at]
        : undefined;
    if (token === undefined) {
      throw refuseCursor("the cursor names no part of the value: pass back a cursor exactly as a page gave it", refId);
    }
    tokens.push(token);
    node = (node as Record<string, unknown>)[token];
  }
  return tokens;
}

/** The positions of the part `tokens` names in `root` (it resolves): what a cursor names it by when its pointer is too long. */
function positionsOf(root: unknown, tokens: readonly string[]): number[] {
  const positions: number[] = [];
  let node = root;
  for (const token of tokens) {
    const at = Array.isArray(node) ? Number(token) : keysOf(node as object).indexOf(token);
    positions.push(at);
    node = (node as Record<string, unknown>)[token];
  }
  return positions;
}

/** What `startOf` reads of a page's options. */
export interface StartOptions {
  refId: string;
  version: string;
  cursor?: string | undefined;
  path?: string | undefined;
}

/**
 * The cursor of a page of the part `start` names, or of one of its items (`last`, its position in the
 * part), from `offset`: by pointer while the cursor stays within SHORT_CURSOR_LENGTH, else by positions
 * (found once, when first needed).
 */
export function partCursors(
  start: Pick<Start, "tokens" | "positions"> & { version: string },
  root: () => unknown,
): (pointer: string, offset: number, last?: number) => string {
  const { version } = start;
  let positions = start.positions;
  const positionsHere = () => {
    positions ??= positionsOf(root(), start.tokens);
    return positions;
  };
  return (pointer, offset, last) => {
    if (pointer.length <= JSON_POINTER_MAX_LENGTH) {
      const cursor = encodeCursor({ version, path: pointer, offset });
      if (cursor.length <= SHORT_CURSOR_LENGTH) return cursor;
    }
    const at = last === undefined ? positionsHere() : [...positionsHere(), last];
    return encodeCursor({ version, path: at, offset });
  };
}
