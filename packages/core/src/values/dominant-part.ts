/**
 * Where most of a value lies: the deepest part holding over half of it. A tool's result is often a
 * wrapper (`{ "data": { "result": { "items": [ … ] } } }`); a client told to page the whole reads a page of
 * previews per level before it reaches the rows. Naming the part lets it page the rows at once.
 */
import { appendJsonPointer } from "./json-pointer.js";
import { sizeWithin } from "./measure.js";

/** Deepest level looked at, and longest pointer named (characters). */
const MAX_LEVELS = 64;
const MAX_POINTER_LENGTH = 256;

/** The part of a value that holds over half of it. */
export interface DominantPart {
  /** Its JSON Pointer (RFC 6901); never "" (the whole value is no news). */
  pointer: string;
  /** What it is, for a sentence: "an array of 50000 items", "a string of 12000 characters". */
  description: string;
}

/** How a part is named in a sentence. */
function describe(part: unknown): string {
  if (Array.isArray(part)) return `an array of ${part.length} items`;
  if (typeof part === "string") return `a string of ${part.length} characters`;
  if (typeof part === "object" && part !== null) return `an object of ${Object.keys(part).length} keys`;
  return "a value";
}

/**
 * The deepest part of `value` whose compact JSON is over half of `size` (the value's own compact JSON
 * length), or `undefined` when no part below the root is. Work: at most `size / 2` characters measured a
 * level (each child's walk stops past half), over at most 64 levels; a pointer longer than 256 characters
 * ends the descent (it is not worth naming in a sentence).
 */
export function dominantPart(value: unknown, size: number): DominantPart | undefined {
  const half = size / 2;
  let part = value;
  let pointer = "";
  for (let level = 0; level < MAX_LEVELS; level++) {
    if (typeof part !== "object" || part === null) break;
    let next: { token: string | number; child: unknown } | undefined;
    if (Array.isArray(part)) {
      for (let i = 0; i < part.length && next === undefined; i++) {
        if (sizeWithin(part[i], half) > half) next = { token: i, child: part[i] };
      }
    } else {
      for (const key of Object.keys(part)) {
        const child = (part as Record<string, unknown>)[key];
        if (sizeWithin(child, half) > half) {
          next = { token: key, child };
          break;
        }
      }
    }
    if (next === undefined) break;
    const deeper = appendJsonPointer(pointer, next.token);
    if (deeper.length > MAX_POINTER_LENGTH) break;
    pointer = deeper;
    part = next.child;
  }
  return pointer === "" ? undefined : { pointer, description: describe(part) };
}
