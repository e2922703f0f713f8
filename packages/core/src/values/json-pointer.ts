/**
 * JSON Pointers (RFC 6901): the paths paging uses to name a part of a value. `""` is the whole value,
 * `/rows/3/name` a member; `~1` stands for `/` and `~0` for `~` inside a token.
 */
import { ValidationError } from "../errors.js";

/** Longest pointer accepted (characters). */
export const JSON_POINTER_MAX_LENGTH = 8192;

/** What a paging input says of a longer pointer: the part it would name is reached by cursor instead. */
export const POINTER_TOO_LONG_MESSAGE =
  `a path is at most ${JSON_POINTER_MAX_LENGTH} characters; page an item under longer keys with the cursor ` +
  `its page lists in "partialCursors"`;

/** A valid pointer: empty, or `/`-separated tokens where `~` is always followed by `0` or `1` (RFC 6901 §3). */
const POINTER = /^(?:\/(?:[^~/]|~[01])*)*$/;

/** Whether `pointer` is a well-formed JSON Pointer. */
export function isJsonPointer(pointer: string): boolean {
  return pointer.length <= JSON_POINTER_MAX_LENGTH && POINTER.test(pointer);
}

/** The reference tokens of a pointer, unescaped (RFC 6901 §4: `~1` first, then `~0`). */
export function parseJsonPointer(pointer: string, refId?: string): string[] {
  if (pointer.length > JSON_POINTER_MAX_LENGTH) {
    throw ValidationError.single("path", POINTER_TOO_LONG_MESSAGE, "too_big", refId);
  }
  if (!isJsonPointer(pointer)) {
    throw ValidationError.single(
      "path",
      `"${pointer.slice(0, 80)}" is not a JSON Pointer (RFC 6901): "" or "/"-separated tokens, ~0 for ~ and ~1 for /`,
      "invalid_format",
      refId,
    );
  }
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** `pointer` extended by one token (an array index or an object key), escaped. */
export function appendJsonPointer(pointer: string, token: string | number): string {
  const text = typeof token === "number" ? String(token) : token.replaceAll("~", "~0").replaceAll("/", "~1");
  return `${pointer}/${text}`;
}

/** An array index token: `0` or digits without a leading zero (RFC 6901 §4; `-` names no element). */
const INDEX = /^(?:0|[1-9][0-9]*)$/;

/**
 * The part of `root` that `pointer` names, or a ValidationError (code `VALIDATION_ERROR`) saying which
 * token does not resolve.
 */
export function resolveJsonPointer(root: unknown, pointer: string, refId?: string): unknown {
  return resolveTokens(root, parseJsonPointer(pointer, refId), refId);
}

/** The part of `root` that unescaped reference `tokens` name; throws as `resolveJsonPointer` does. */
export function resolveTokens(root: unknown, tokens: readonly string[], refId?: string): unknown {
  let node = root;
  let at = "";
  for (const token of tokens) {
    let next: unknown;
    if (Array.isArray(node)) {
      const index = INDEX.test(token) ? Number(token) : -1;
      next = index >= 0 && index < node.length ? node[index] : undefined;
    } else if (typeof node === "object" && node !== null && Object.hasOwn(node, token)) {
      next = (node as Record<string, unknown>)[token];
    }
    at = appendJsonPointer(at, token);
    if (next === undefined) {
      throw ValidationError.single(
        "path",
        `"${at.slice(0, 200)}" does not resolve in the value`,
        "invalid_value",
        refId,
      );
    }
    node = next;
  }
  return node;
}
