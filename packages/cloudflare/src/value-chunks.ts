/**
 * Values as chunks of UTF-8 bytes. A Durable Object's SQLite row holds at most 2 MB, so a value's text is
 * encoded once and cut into pieces well below that; the pieces are joined and decoded on read, which gives
 * back exactly the text written (JSON text from core's codec is well-formed UTF-16, so the round trip is
 * lossless).
 */

/** Bytes per chunk: half the 2 MB row limit, leaving room for the key and the row's overhead. */
export const CHUNK_BYTES = 1024 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** `text` as UTF-8, cut into chunks of at most CHUNK_BYTES (at least one chunk, empty for ""). */
export function toChunks(text: string): { chunks: ArrayBuffer[]; bytes: number } {
  const encoded = encoder.encode(text);
  const chunks: ArrayBuffer[] = [];
  for (let at = 0; at < encoded.length || chunks.length === 0; at += CHUNK_BYTES) {
    chunks.push(encoded.slice(at, at + CHUNK_BYTES).buffer as ArrayBuffer);
  }
  return { chunks, bytes: encoded.length };
}

/** The text of `chunks`, in order. */
export function fromChunks(chunks: readonly ArrayBuffer[], bytes: number): string {
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const joined = new Uint8Array(bytes);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(new Uint8Array(chunk), at);
    at += chunk.byteLength;
  }
  if (at !== bytes) throw new Error(`value chunks hold ${at} bytes, expected ${bytes}`);
  return decoder.decode(joined);
}
