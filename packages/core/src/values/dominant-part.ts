/**
 * Where most of a value lies: the deepest part holding over half of it. A tool's result is often a
 * wrapper (`{ "data": { "result": { "items": [ … ] } } }`); a client told to page the whole reads a page of
 * previews per level before it reaches the rows. Naming the part lets it page the rows at once.
 */
import { appendJsonPointer } from "./json-pointer.js";
import { sizeWithin } from "./measure.js";

/** Deepest level looked at, and longest pointer named (its JSON text, in characters). */
const MAX_LEVELS = 64;
const MAX_POINTER_JSON_LENGTH = 100;

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
 * length), or `undefined` when no part below the root is. Work: each child's walk stops past `size / 2`,
 * a level stops once the children measured leave less than half for the rest, and the whole descent
 * stops after measuring `size` characters in all (about one `JSON.stringify` of the value) or 64 levels;
 * a pointer whose JSON text passes 100 characters ends it too (it is not worth naming in a sentence).
 */
export function dominantPart(value: unknown, size: number): DominantPart | undefined {
  const half = size / 2;
  let work = 0;
  let part = value;
  let pointer = "";
  for (let level = 0; level < MAX_LEVELS && work <= size; level++) {
    if (typeof part !== "object" || part === null) break;
    // Indexes of an array are iterated, not listed: a table's rows are not copied into pairs.
    const tokens: Iterable<string | number> = Array.isArray(part) ? part.keys() : Object.keys(part);
    const children = part as Record<string | number, unknown>;
    let next: string | number | undefined;
    let measured = 0;
    for (const token of tokens) {
      const childSize = sizeWithin(children[token], half);
      work += Math.min(childSize, half);
      if (childSize > half) {
        next = token;
        break;
      }
      measured += childSize;
      // What is left is too small for a child over half.
      if (size - measured <= half) break;
    }
    if (next === undefined) break;
    const deeper = appendJsonPointer(pointer, next);
    if (JSON.stringify(deeper).length > MAX_POINTER_JSON_LENGTH) break;
    pointer = deeper;
    part = children[next];
  }
  return pointer === "" ? undefined : { pointer, description: describe(part) };
}
