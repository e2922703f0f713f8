/**
 * The value `Store` on Redis: one hash per key holding the encoded JSON text and its bookkeeping, with
 * native expiry, so expired values disappear without a prune pass (hence no `prune`).
 */
import type { Store, StoreEntry, StoreEntryMeta } from "./contract.js";
import { check, isEntry, isKey, KeySchema, StoreEntrySchema } from "./input-schemas.js";
import type { KeyLayout } from "./key-layout.js";
import { SET_VALUE } from "./lua-scripts.js";
import { luaScript, type RedisConnection } from "./redis-connection.js";

const setValue = luaScript(SET_VALUE);

/**
 * The arguments of the scripts' value write: data, createdAt, expiresAt, owner ("" for none), ttlMs,
 * version ("" for none), executeOnly ("1", or "" for readable).
 */
export function valueArgs(entry: StoreEntry): string[] {
  const expires = entry.expiresAt;
  // A relative TTL, so native expiry agrees with the cache's own clock even when that clock is not wall time.
  const ttlMs = expires === undefined ? "" : String(Math.max(1, Math.ceil(expires - entry.createdAt)));
  return [
    entry.data,
    String(entry.createdAt),
    expires === undefined ? "" : String(expires),
    entry.owner ?? "",
    ttlMs,
    entry.version === undefined ? "" : String(entry.version),
    entry.executeOnly === true ? "1" : "",
  ];
}

/** A number as the scripts write one (decimal, as `String(n)` gives it); anything else NaN. */
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:e[+-]?\d+)?$/;
const storedNumber = (text: string): number => (NUMBER_TEXT.test(text) ? Number(text) : Number.NaN);

/**
 * A value hash's bookkeeping; an empty or missing `e`, `o` or `n` means none (hashes written before
 * versions existed have no `n`: their entries read without one, and core derives one from `c`). What no
 * script writes (a number that is not decimal, such as `" "` or `"0x10"`; an `x` other than `"1"` or `""`)
 * is handed on as it is found, NaN or the text, for core to refuse as a `STORE_ERROR` naming the field:
 * an entry another writer marked execute-only in its own way is never read as readable.
 */
function metaOf(fields: { c?: string; e?: string; o?: string; n?: string; x?: string }): StoreEntryMeta | undefined {
  if (fields.c === undefined) return undefined;
  const meta: StoreEntryMeta = { createdAt: storedNumber(fields.c) };
  if (fields.e !== undefined && fields.e !== "") meta.expiresAt = storedNumber(fields.e);
  if (fields.o !== undefined && fields.o !== "") meta.owner = fields.o;
  if (fields.n !== undefined && fields.n !== "") meta.version = storedNumber(fields.n);
  // `x` = "1": execute-only (hashes written before the flag existed have none: readable).
  if (fields.x === "1") meta.executeOnly = true;
  else if (fields.x !== undefined && fields.x !== "") (meta as { executeOnly?: unknown }).executeOnly = fields.x;
  return meta;
}

export class RedisStore implements Store {
  /** Redis expires a value on its own clock (the script sends its time to live as a duration). */
  readonly nativeExpiry = true;
  readonly #connection: RedisConnection;
  readonly #keys: KeyLayout;

  constructor(connection: RedisConnection, keys: KeyLayout) {
    this.#connection = connection;
    this.#keys = keys;
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    check(isKey(key), KeySchema, key, "store key");
    const fields = await this.#connection.call<Record<string, string>>("value get", key, "hgetall", [
      this.#keys.value(key),
    ]);
    const meta = metaOf(fields);
    if (meta === undefined) return undefined;
    // Bookkeeping without its text (another writer's fault): handed on for core to refuse as STORE_ERROR,
    // as `stat` (which does not read the text) reports the entry there.
    return { data: fields.d as string, ...meta };
  }

  async stat(key: string): Promise<StoreEntryMeta | undefined> {
    check(isKey(key), KeySchema, key, "store key");
    const [c, e, o, n, x] = await this.#connection.call<(string | null)[]>("value stat", key, "hmget", [
      this.#keys.value(key),
      "c",
      "e",
      "o",
      "n",
      "x",
    ]);
    return metaOf({ c: c ?? undefined, e: e ?? undefined, o: o ?? undefined, n: n ?? undefined, x: x ?? undefined });
  }

  async set(key: string, entry: StoreEntry): Promise<void> {
    check(isKey(key), KeySchema, key, "store key");
    check(isEntry(entry), StoreEntrySchema, entry, "store entry", key);
    await this.#connection.script("value set", key, setValue, [this.#keys.value(key)], valueArgs(entry));
  }

  async delete(key: string): Promise<boolean> {
    check(isKey(key), KeySchema, key, "store key");
    return (await this.#connection.call<number>("value delete", key, "del", [this.#keys.value(key)])) > 0;
  }
}
