/**
 * The value half of a RefCache: values under keys with a TTL and an optional owner, encoded once by the
 * codec. A key that an unfinished task holds cannot be written or deleted from outside the task.
 */
import type { CacheContext } from "./cache-context.js";
import { encodeValue } from "./codec.js";
import { DecodedValues } from "./decoded-values.js";
import { KeyOwnedByTaskError, parseOrThrow } from "./errors.js";
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
import { assertMayWrite, isVisibleTo } from "./owner.js";
import type { StoreEntry, StoreEntryMeta } from "./store.js";

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
    await this.#assertNotOwnedByTask(id, opts.owner);
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
    const { owner } = parseOrThrow(ReadOptionsSchema, options, "read options", id);
    this.#ctx.assertOpen();
    const task = await this.#ctx.storeCall(id, () => this.#ctx.taskStore.get(id));
    // Another owner's task is not revealed: its key reads as absent below.
    if (task !== undefined && isVisibleTo(task, owner) && !isTerminalStatus(task.status)) {
      throw new KeyOwnedByTaskError(id);
    }
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
    if (entry === undefined || !isVisibleTo(entry, owner)) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#ctx.now()) return undefined;
    return entry;
  }

  #stat(id: string): Promise<StoreEntryMeta | undefined> {
    const { store } = this.#ctx;
    return store.stat === undefined ? store.get(id) : store.stat(id);
  }

  /**
   * Refuses a write to a key an unfinished task holds, and (for an owner) to a key whose task or live
   * value another owner (or the server) holds: no owner overwrites what is not its own.
   */
  async #assertNotOwnedByTask(id: string, owner?: string): Promise<void> {
    const [task, value] = await Promise.all([
      this.#ctx.storeCall(id, () => this.#ctx.taskStore.get(id)),
      owner === undefined ? undefined : this.#ctx.storeCall(id, () => this.#stat(id)),
    ]);
    assertMayWrite(task, owner, id);
    if (value !== undefined && (value.expiresAt === undefined || value.expiresAt > this.#ctx.now())) {
      assertMayWrite(value, owner, id);
    }
    if (task !== undefined && !isTerminalStatus(task.status)) throw new KeyOwnedByTaskError(id);
  }
}
