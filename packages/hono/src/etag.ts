/**
 * Validators for stored values (RFC 9110 §8.8.3, §13.1.2): the entity tag is the value's version, which
 * changes on every write, so a client revalidates with `If-None-Match` and gets 304 while it is unchanged.
 * Values are never more public than their owner: `private`, and `no-cache` so each use is revalidated
 * (a value may expire or be overwritten at any time).
 */
import type { Context } from "hono";

export const VALUE_CACHE_CONTROL = "private, no-cache";

/** The strong entity tag of a value version: `"<version>"`. */
export function entityTag(version: string): string {
  return `"${version}"`;
}

/**
 * Whether `If-None-Match` (a list of entity tags, or `*`) names `etag`, compared weakly as RFC 9110
 * §13.1.2 requires for this header: `W/` prefixes are ignored.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const wanted = header.trim();
  if (wanted === "*") return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return wanted.split(",").some((tag) => opaque(tag) === opaque(etag));
}

/**
 * Sets the validator headers for `version` and returns a 304 when the request already holds it, else
 * `undefined` (answer the representation).
 */
export function revalidate(c: Context, version: string): Response | undefined {
  const etag = entityTag(version);
  c.header("ETag", etag);
  c.header("Cache-Control", VALUE_CACHE_CONTROL);
  if (!ifNoneMatchHits(c.req.header("if-none-match"), etag)) return undefined;
  return c.body(null, 304);
}
