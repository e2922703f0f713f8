/**
 * Random strings for ids: ref ids, run ids and instance ids. Drawn from the Web Crypto CSPRNG
 * (`crypto.getRandomValues`, so this runs on every runtime core supports), each random byte handed out
 * once, and built as one flat string (no rope of pieces): ids are kept as store keys by the thousand.
 */

/** Random bytes drawn from the CSPRNG this many at a time: one `getRandomValues` call per 256 ids, not per id. */
const RANDOM_POOL_BYTES = 4096;
const randomPool = new Uint8Array(RANDOM_POOL_BYTES);
let randomPoolOffset = RANDOM_POOL_BYTES;
/** Reused arrays of char codes, by length: an id costs its string and nothing else. */
const scratchCodes: number[][] = [];

/** Char codes of 0-9a-f. */
const HEX_CODES = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
/** Char codes of the base64url alphabet (RFC 4648 §5): A-Z a-z 0-9 - _, all allowed in a ref id. */
const BASE64URL_CODES = Array.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", (c) =>
  c.charCodeAt(0),
);

/**
 * `prefix` then `bytes` random bytes: two lowercase hex digits each (`hex`), or one base64url character
 * each (its low 6 bits: uniform, as 256 is a multiple of 64).
 */
function randomString(prefix: string, bytes: number, hex: boolean): string {
  if (randomPoolOffset + bytes > RANDOM_POOL_BYTES) {
    globalThis.crypto.getRandomValues(randomPool);
    randomPoolOffset = 0;
  }
  const length = prefix.length + (hex ? bytes * 2 : bytes);
  let codes = scratchCodes[length];
  if (codes === undefined) {
    codes = new Array<number>(length).fill(0);
    if (length <= 128) scratchCodes[length] = codes;
  }
  let at = 0;
  for (; at < prefix.length; at++) codes[at] = prefix.charCodeAt(at);
  for (let i = randomPoolOffset; i < randomPoolOffset + bytes; i++) {
    const byte = randomPool[i] as number;
    if (hex) {
      codes[at++] = HEX_CODES[byte >> 4] as number;
      codes[at++] = HEX_CODES[byte & 15] as number;
    } else {
      codes[at++] = BASE64URL_CODES[byte & 63] as number;
    }
  }
  randomPoolOffset += bytes;
  return String.fromCharCode(...codes);
}

/** `prefix` followed by `bytes` random bytes as lowercase hex (`2 × bytes` characters). */
export function randomHex(bytes: number, prefix = ""): string {
  return randomString(prefix, bytes, true);
}

/**
 * `prefix` followed by `chars` random base64url characters, 6 random bits each (22 characters: 132
 * bits). Shorter than hex for the same randomness: a 41-character id takes 64 heap bytes, a 31-character
 * one 48.
 */
export function randomBase64Url(chars: number, prefix = ""): string {
  return randomString(prefix, chars, false);
}
