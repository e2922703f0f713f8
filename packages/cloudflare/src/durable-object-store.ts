/**
 * The value `Store` on shard objects: each key lives in the shard its hash picks (the same shard as a task
 * of the same id), in chunks below SQLite's row limit, so values of many megabytes round-trip exactly.
 * Expiry is native: the shard drops a value at its `expiresAt` (its alarm) and never hands out an expired
 * one.
 */
import type { Store } from "@mcp-refcache/core";
import type { StoreEntry, StoreEntryMeta } from "@mcp-refcache/core/store";
import type { ShardRouter } from "./shard-router.js";

/** Most bytes one call to a Durable Object carries (RPC; Cloudflare's documented limit, late 2026). */
export const DURABLE_OBJECT_CALL_BYTES = 32 * 1024 * 1024;
/** Room kept in a call for the entry's other fields, the key, a task beside its result, and the framing. */
const CALL_FRAMING_BYTES = 64 * 1024;
/** Most bytes of JSON text one call carries beside the rest. */
const CALL_TEXT_BYTES = DURABLE_OBJECT_CALL_BYTES - CALL_FRAMING_BYTES;
/** A character past Latin-1: a string holding one is sent two bytes a character, else one. */
const BEYOND_LATIN1 = /[\u0100-\uffff]/;

/**
 * Bytes `data` takes in a call to an object once it went through `sendable`: V8's serializer sends a string
 * of Latin-1 characters one byte each, any other string two (UTF-16), whatever its UTF-8 size.
 */
export function callBytes(data: string): number {
  return BEYOND_LATIN1.test(data) ? data.length * 2 : data.length;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * `data` as it should cross to an object. V8 sends a string as it holds it, and it may hold Latin-1 text in
 * two bytes a character (text cut from a string that had a wider character): such text, when large enough
 * for that to matter, is decoded anew from UTF-8, which V8 keeps in one byte a character, so `callBytes`
 * is what the call carries. Smaller text goes as it is.
 */
export function sendable(data: string): string {
  if (data.length * 2 <= CALL_TEXT_BYTES || BEYOND_LATIN1.test(data)) return data;
  return utf8Decoder.decode(utf8Encoder.encode(data));
}

export class DurableObjectStore implements Store {
  /** The shard hands out no value past its `expiresAt`, on the shard's clock. */
  readonly nativeExpiry = true;
  readonly #router: ShardRouter;

  constructor(router: ShardRouter) {
    this.#router = router;
  }

  /**
   * A value crosses to its shard in one call: text a call cannot carry (past `DURABLE_OBJECT_CALL_BYTES`
   * with room for the rest) is refused before it is sent, so core refuses the value, or fails the task,
   * at once instead of retrying a write that can never succeed.
   */
  dataTooLarge(data: string): string | undefined {
    if (data.length * 2 <= CALL_TEXT_BYTES) return undefined;
    const bytes = callBytes(data);
    if (bytes <= CALL_TEXT_BYTES) return undefined;
    return `the value's JSON text takes ${bytes} bytes in a call to a Durable Object, past the ${CALL_TEXT_BYTES} one call carries with its framing (32 MiB)`;
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    return (await this.#router.of(key).getValue(key)) ?? undefined;
  }

  async stat(key: string): Promise<StoreEntryMeta | undefined> {
    return (await this.#router.of(key).statValue(key)) ?? undefined;
  }

  async set(key: string, entry: StoreEntry): Promise<void> {
    if (typeof entry.data !== "string") throw new TypeError("StoreEntry.data must be encoded JSON text");
    const { data, createdAt, expiresAt, owner, version, executeOnly } = entry;
    // Only the entry's own fields cross to the object; nothing of an old entry survives an overwrite.
    const copy: StoreEntry = { data: sendable(data), createdAt };
    if (expiresAt !== undefined) copy.expiresAt = expiresAt;
    if (owner !== undefined) copy.owner = owner;
    if (version !== undefined) copy.version = version;
    if (executeOnly === true) copy.executeOnly = true;
    await this.#router.of(key).setValue(key, copy);
  }

  async delete(key: string): Promise<boolean> {
    return this.#router.of(key).deleteValue(key);
  }

  /**
   * Drops expired values in every shard, by each shard's own clock (`now` is not used: the shards' alarms
   * drop values at their expiry anyway, so this only catches up).
   */
  async prune(_now: number): Promise<number> {
    const counts = await Promise.all(this.#router.all().map((shard) => shard.pruneValues()));
    return counts.reduce((sum, n) => sum + n, 0);
  }
}
