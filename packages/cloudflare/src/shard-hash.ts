/**
 * The hash that puts an id on a shard (FNV-1a, 32 bits): a leaf file, so the router and the shard object
 * both use it without importing each other.
 */

/** FNV-1a over the UTF-16 code units of `text` (ids are ASCII, so these are its bytes). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
