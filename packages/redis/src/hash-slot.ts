/**
 * Redis Cluster's key → hash slot mapping (CRC16/XMODEM of the key, or of its hash tag, mod 16384), as the
 * Redis Cluster specification defines it ("Keys distribution model"): the cluster layout picks its bucket
 * tags with it, so the buckets spread evenly over the slot ranges and hence over the masters.
 */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** CRC16/XMODEM (polynomial 0x1021, initial 0) of the UTF-8 bytes of `text`. */
export function crc16(text: string): number {
  const bytes = new TextEncoder().encode(text);
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);
  return crc;
}

/**
 * A well-mixed 32-bit hash of `text` (FNV-1a over its UTF-16 code units, then MurmurHash3's fmix32
 * finalizer): its low bits spread even ids that differ only in their last characters, which CRC16's
 * low bits do not (sequential ids fell twice as often into some buckets as into others).
 */
export function bucketHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash slot of a key: only the first non-empty `{…}` counts when the key has one. */
export function hashSlot(key: string): number {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % 16384;
  }
  return crc16(key) % 16384;
}
