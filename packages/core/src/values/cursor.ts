/**
 * Page cursors: opaque to clients but not secret. A cursor names the value's version, the part being paged
 * (a JSON Pointer) and where the next page starts, so a cursor for a value since overwritten, or one made
 * up, is refused with a clear error rather than answered with a wrong or empty page.
 *
 * Format `v1.<version>.<offset>.<part>`, the part as base64url of the UTF-8 of its JSON text (JSON escapes
 * lone surrogates, which a key may hold and UTF-8 cannot carry): a JSON string, the part's pointer; or,
 * where the pointer would make a long cursor (keys of any length make one), a JSON array of the part's
 * positions from the root: at each level the index of the item, or of the key in the order pages list
 * keys (`Object.keys`). A stored value is at most `MAX_VALUE_DEPTH` (200) deep, so that array
 * stays short; `pageValue` takes deeper values too, as deep as `CURSOR_MAX_LENGTH` lets a cursor name.
 */
import { ValidationError } from "../errors.js";
import { isJsonPointer, JSON_POINTER_MAX_LENGTH } from "./json-pointer.js";

/**
 * Longest cursor accepted (characters): the longest `encodeCursor` makes for any pointer `isJsonPointer`
 * accepts, so every cursor a page hands out is taken back. `v1.`, a version (≤ 64), `.`, an offset (≤ 16
 * digits), `.`, then base64url of the pointer's JSON text in UTF-8: two quotes and at most 6 bytes a code
 * unit (a control character or a lone surrogate is written `\uXXXX`). A positions cursor takes a number
 * of at most 10 digits a level: for a stored value (200 levels at most) far less.
 */
export const CURSOR_MAX_LENGTH = 3 + 64 + 1 + 16 + 1 + Math.ceil(((2 + 6 * JSON_POINTER_MAX_LENGTH) * 4) / 3);

/** Where a page starts: in which version of the value, in which part, at which item, key or character. */
export interface PageCursor {
  version: string;
  /**
   * The part: its JSON Pointer, or its positions from the root (item indexes, key indexes in `Object.keys`
   * order) where the pointer would make a long cursor.
   */
  path: string | readonly number[];
  offset: number;
}

/** Largest position in a positions cursor: an index of a JavaScript array or of an object's keys. */
const MAX_POSITION = 2 ** 32 - 2;

const isPositions = (path: unknown): path is number[] =>
  Array.isArray(path) && path.every((at) => Number.isInteger(at) && at >= 0 && at <= MAX_POSITION);

const FORMAT = /^v1\.([0-9A-Za-z_-]{1,64})\.(0|[1-9][0-9]{0,15})\.([0-9A-Za-z_-]*)$/;

function toBase64Url(path: string | readonly number[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(path));
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): string | number[] | undefined {
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    const path: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    if (typeof path === "string") return isJsonPointer(path) ? path : undefined;
    return isPositions(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The last path encoded and decoded: a client pages one part in many calls. */
let lastPath = "";
let lastEncoded = toBase64Url("");

export function encodeCursor(cursor: PageCursor): string {
  if (typeof cursor.path !== "string") {
    return `v1.${cursor.version}.${cursor.offset}.${toBase64Url(cursor.path)}`;
  }
  if (cursor.path !== lastPath) {
    lastEncoded = toBase64Url(cursor.path);
    lastPath = cursor.path;
  }
  return `v1.${cursor.version}.${cursor.offset}.${lastEncoded}`;
}

/** A cursor refused (`VALIDATION_ERROR` on `cursor`). */
export function refuseCursor(message: string, refId: string | undefined): ValidationError {
  return ValidationError.single("cursor", message, "invalid_value", refId);
}

/** The cursor `text` encodes, or a ValidationError (`VALIDATION_ERROR`) when it is not one this library made. */
export function decodeCursor(text: string, refId?: string): PageCursor {
  const match = text.length <= CURSOR_MAX_LENGTH ? FORMAT.exec(text) : null;
  if (match !== null && match[3] === lastEncoded) {
    return { version: match[1] as string, offset: Number(match[2]), path: lastPath };
  }
  const path = match === null ? undefined : fromBase64Url(match[3] as string);
  if (match === null || path === undefined || toBase64Url(path) !== match[3]) {
    throw refuseCursor("the cursor is malformed: pass back a nextCursor exactly as a page gave it", refId);
  }
  return { version: match[1] as string, offset: Number(match[2]), path };
}

/** Refuses a cursor made for another version of the value (overwritten since, or another value's cursor). */
export function assertCursorVersion(cursor: PageCursor, version: string, refId?: string): void {
  if (cursor.version !== version) {
    throw refuseCursor(
      "this cursor is for another version of the value (overwritten since, or the cursor is not from this " +
        "value); page it again from the start (without a cursor)",
      refId,
    );
  }
}
