/**
 * The value half of a RefCache: values under keys with a TTL and an optional owner, encoded once by the
 * codec. A key that an unfinished task holds cannot be written or deleted from outside the task.
 */
import type { CacheContext } from "./cache-context.js";
import { encodeValue } from "./codec.js";
import { DecodedValues } from "./decoded-values.js";
import { KeyOwnedByTaskError, parseOrThrow } from "./errors.js";
import { leaseRanOut } from "./liveness.js";
import {
  type CacheEntryInfo,
  cacheEntryInfo,
  isTerminalStatus,
  type ReadOptions,
  ReadOptionsSchema,
  RefIdSchema,
  type SetOptions,
  SetOptionsSchema,
} from "./models.js";
import type { StoreEntry, StoreEntryMeta } from "./store.js";

function visibleTo(entry: StoreEntryMeta, owner: string | undefined): boolean {
  return owner === undefined || entry.owner === undefined || entry.owner === owner;
}

export class ValueCache {
  readonly #ctx: CacheContext;
  readonly #decoded = new DecodedValues();

  constructor(context: CacheContext) {
    this.#ctx = context;
  }

  /** Drops the decoded trees kept for reads (on close: no read follows). */
  forgetDecoded(): void {
    this.#decoded.clear();
  }

  /** Encodes `value` into an entry for `key` (throws ValidationError for what is not JSON data). */
  entryFor(key: string, value: unknown, ttlMs: number | null | undefined, owner: string | undefined): StoreEntry {
    const data = encodeValue(value, key);
    const createdAt = this.#ctx.now();
    const ttl = ttlMs === undefined ? this.#ctx.defaultTtlMs : ttlMs;
    const entry: StoreEntry = { data, createdAt };
    if (ttl !== null) entry.expiresAt = createdAt + ttl;
    if (owner !== undefined) entry.owner = owner;
    return entry;
  }

  async set(key: string, value: unknown, options: SetOptions = {}): Promise<CacheEntryInfo> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    const opts = parseOrThrow(SetOptionsSchema, options, "set options", id);
    this.#ctx.assertOpen();
    const entry = this.entryFor(id, value, opts.ttlMs, opts.owner);
    await this.#assertNotOwnedByTask(id);
    await this.#ctx.storeCall(id, () => this.#ctx.store.set(id, entry));
    this.#decoded.forget(id);
    return cacheEntryInfo(id, entry);
  }

  async get(key: string, options: ReadOptions = {}): Promise<unknown> {
    const entry = await this.#read(key, options, (id) => this.#ctx.store.get(id));
    return entry === undefined ? undefined : this.#decoded.decode(key, entry.data);
  }

  async getEntry(key: string, options: ReadOptions = {}): Promise<(CacheEntryInfo & { value: unknown }) | undefined> {
    const entry = await this.#read(key, options, (id) => this.#ctx.store.get(id));
    if (entry === undefined) return undefined;
    return {
      // `#read` has validated the key already.
      ...cacheEntryInfo(key, entry),
      value: this.#decoded.decode(key, entry.data),
    };
  }

  async has(key: string, options: ReadOptions = {}): Promise<boolean> {
    return (await this.#read(key, options, (id) => this.#stat(id))) !== undefined;
  }

  async delete(key: string, options: ReadOptions = {}): Promise<boolean> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    parseOrThrow(ReadOptionsSchema, options, "read options", id);
    this.#ctx.assertOpen();
    await this.#assertNotOwnedByTask(id);
    const live = await this.#read(id, options, (k) => this.#stat(k));
    if (live === undefined) return false;
    await this.#ctx.storeCall(id, () => this.#ctx.store.delete(id));
    this.#decoded.forget(id);
    return true;
  }

  /** Reads through `fetch`, hiding what is expired or belongs to another owner. */
  async #read<E extends StoreEntryMeta>(
    key: string,
    options: ReadOptions,
    fetch: (id: string) => Promise<E | undefined>,
  ): Promise<E | undefined> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    const { owner } = parseOrThrow(ReadOptionsSchema, options, "read options", id);
    this.#ctx.assertOpen();
    const entry = await this.#ctx.storeCall(id, () => fetch(id));
    if (entry === undefined || !visibleTo(entry, owner)) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#ctx.now()) return undefined;
    return entry;
  }

  #stat(id: string): Promise<StoreEntryMeta | undefined> {
    const { store } = this.#ctx;
    return store.stat === undefined ? store.get(id) : store.stat(id);
  }

  async #assertNotOwnedByTask(id: string): Promise<void> {
    const task = await this.#ctx.storeCall(id, () => this.#ctx.taskStore.get(id));
    // A task whose worker is lost (see liveness.ts) holds its key no more than it holds capacity.
    if (task !== undefined && !isTerminalStatus(task.status) && !leaseRanOut(task)) throw new KeyOwnedByTaskError(id);
  }
}
