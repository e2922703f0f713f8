/**
 * The value half of a RefCache: values under keys with a TTL and an optional owner, encoded once by the
 * codec. A key that an unfinished task holds cannot be written or deleted from outside the task.
 */
import type { CacheContext } from "./cache-context.js";
import { encodeValue, storedFault } from "./codec.js";
import { DecodedValues, type PagedTree } from "./decoded-values.js";
import { ExecuteOnlyError, KeyOwnedByTaskError, StoreError, ValidationError } from "./errors.js";
import { leaseRanOut } from "./liveness.js";
import {
  type CacheEntryInfo,
  type ClientEntry,
  cacheEntryInfo,
  isTerminalStatus,
  type ReadOptions,
  ReadOptionsSchema,
  RefIdSchema,
  type SetOptions,
  SetOptionsSchema,
  versionOf,
} from "./models.js";
import { assertMayWrite, isUsableBy, isVisibleTo } from "./owner.js";
import { parseOrThrow } from "./parse.js";
import type { StoreEntry, StoreEntryMeta } from "./store.js";
import { pageStored, type ValuePage } from "./values/page.js";
import { previewValue } from "./values/preview.js";
import {
  type PageOptions,
  PageOptionsSchema,
  type PreviewOptions,
  PreviewOptionsSchema,
  type ValuePreview,
} from "./values/value-schemas.js";

/** UTF-8 length of `text`, counting only as far as needed to tell whether it exceeds `max`. */
function exceedsBytes(text: string, max: number): boolean {
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A surrogate pair is four bytes, two per half.
    bytes += code < 0x80 ? 1 : code < 0x800 || (code >= 0xd800 && code <= 0xdfff) ? 2 : 3;
  }
  return bytes > max;
}

const isEpochMs = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0;

/** The first field of `entry` core never writes so, if any (`data` only for a whole read). */
function storedMetaFault(entry: StoreEntryMeta & { data?: unknown }, whole: boolean): string | undefined {
  if (!isEpochMs(entry.createdAt)) return "createdAt";
  if (entry.expiresAt !== undefined && !isEpochMs(entry.expiresAt)) return "expiresAt";
  const { version } = entry;
  if (version !== undefined && !(Number.isSafeInteger(version) && version >= 0)) return "version";
  if (entry.executeOnly !== undefined && entry.executeOnly !== true) return "executeOnly";
  if (whole && typeof entry.data !== "string") return "data";
  return undefined;
}

/**
 * Checks what a store handed back before it is used: bookkeeping core never writes (another writer sharing
 * the store, a store with a fault) would make versions no cursor can name, or values that never expire. A
 * fault is a StoreError (`STORE_ERROR`) naming the field, never the value's text; nothing is changed.
 */
function assertStoredMeta(entry: StoreEntryMeta & { data?: unknown }, id: string, whole: boolean): void {
  const fault = storedMetaFault(entry, whole);
  if (fault !== undefined) {
    throw new StoreError(
      `The store holds an entry under refId "${id}" whose ${fault} is not one this library writes; it cannot be read`,
      id,
      undefined,
    );
  }
}

/**
 * Previews and pages are client reads: given an owner (a client's scope), an execute-only value is refused
 * with ExecuteOnlyError. Server-side code (no owner) reads it, as it does with `get`.
 */
function refuseExecuteOnly(entry: StoreEntryMeta, owner: string | undefined, id: string): void {
  if (owner !== undefined && entry.executeOnly === true) throw new ExecuteOnlyError(id);
}

export class ValueCache {
  readonly #ctx: CacheContext;
  readonly #decoded: DecodedValues;

  constructor(context: CacheContext) {
    this.#ctx = context;
    this.#decoded = context.decodedValues ?? new DecodedValues();
  }

  /** Drops the decoded trees kept for reads (on close: no read follows), unless other caches share them. */
  forgetDecoded(): void {
    if (this.#ctx.decodedValues === undefined) this.#decoded.clear();
  }

  /** Encodes `value` into an entry for `key` (throws ValidationError for what is not JSON data). */
  entryFor(
    key: string,
    value: unknown,
    ttlMs: number | null | undefined,
    owner: string | undefined,
    executeOnly?: boolean,
  ): StoreEntry {
    const data = encodeValue(value, key);
    if (exceedsBytes(data, this.#ctx.maxValueBytes)) {
      throw ValidationError.single(
        "value",
        `the value's JSON text is larger than maxValueBytes (${this.#ctx.maxValueBytes} bytes)`,
        "too_big",
        key,
      );
    }
    const { store } = this.#ctx;
    const refusal = store.dataTooLarge === undefined ? undefined : store.dataTooLarge(data);
    if (refusal !== undefined) throw ValidationError.single("value", refusal, "too_big", key);
    const createdAt = this.#ctx.now();
    const ttl = ttlMs === undefined ? this.#ctx.defaultTtlMs : ttlMs;
    // A new version on every write: page cursors and ETags made for the old value then no longer match.
    // Not from the CSPRNG: a version need not be secret, only differ from the last one.
    const entry: StoreEntry = { data, createdAt, version: Math.floor(Math.random() * 2 ** 30) };
    if (ttl !== null) entry.expiresAt = createdAt + ttl;
    if (owner !== undefined) entry.owner = owner;
    if (executeOnly === true) entry.executeOnly = true;
    return entry;
  }

  async set(key: string, value: unknown, options: SetOptions = {}): Promise<CacheEntryInfo> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    const opts = parseOrThrow(SetOptionsSchema, options, "set options", id);
    this.#ctx.assertOpen();
    const entry = this.entryFor(id, value, opts.ttlMs, opts.owner, opts.executeOnly);
    await this.#assertNotOwnedByTask(id, opts.owner);
    await this.#ctx.storeCall(id, () => this.#ctx.store.set(id, entry));
    this.#decoded.forget(id);
    return cacheEntryInfo(id, entry);
  }

  async get(key: string, options: ReadOptions = {}): Promise<unknown> {
    const entry = await this.#read(key, options, (id) => this.#ctx.store.get(id), isVisibleTo, "whole");
    return entry === undefined ? undefined : this.#decoded.decode(key, entry.data);
  }

  async getEntry(key: string, options: ReadOptions = {}): Promise<(CacheEntryInfo & { value: unknown }) | undefined> {
    const entry = await this.#read(key, options, (id) => this.#ctx.store.get(id), isVisibleTo, "whole");
    if (entry === undefined) return undefined;
    return {
      // `#read` has validated the key already.
      ...cacheEntryInfo(key, entry),
      value: this.#decoded.decode(key, entry.data),
    };
  }

  /**
   * The entry as a client may see it (see `RefCache.getEntryForClient`): an execute-only one without its
   * value, which is never decoded.
   */
  async getEntryForClient(key: string, options: ReadOptions = {}): Promise<ClientEntry | undefined> {
    const entry = await this.#read(key, options, (id) => this.#ctx.store.get(id), isVisibleTo, "whole");
    if (entry === undefined) return undefined;
    if (entry.executeOnly === true) return { ...cacheEntryInfo(key, entry), executeOnly: true };
    // Not execute-only, so the info has no `executeOnly`.
    const info = cacheEntryInfo(key, entry) as CacheEntryInfo & { executeOnly?: undefined };
    return { ...info, value: this.#decoded.decode(key, entry.data) };
  }

  async getEntryInfo(key: string, options: ReadOptions = {}): Promise<CacheEntryInfo | undefined> {
    const meta = await this.#read(key, options, (id) => this.#stat(id));
    return meta === undefined ? undefined : cacheEntryInfo(key, meta);
  }

  async has(key: string, options: ReadOptions = {}): Promise<boolean> {
    return (await this.#read(key, options, (id) => this.#stat(id), isVisibleTo, "none")) !== undefined;
  }

  /**
   * The entry the owner may pass by reference under `key` (`isUsableBy`: its own, or a server's execute-only
   * one), `undefined` for any other, as for an unknown key. One store read; whether it may be used is
   * settled on the bookkeeping, before anything of it is checked or decoded.
   */
  async getReferenced(
    key: string,
    options: ReadOptions = {},
  ): Promise<(CacheEntryInfo & { value: unknown }) | undefined> {
    const entry = await this.#read(key, options, (id) => this.#ctx.store.get(id), isUsableBy, "whole");
    if (entry === undefined) return undefined;
    return { ...cacheEntryInfo(key, entry), value: this.#decoded.decode(key, entry.data) };
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
    const live = await this.#read(id, options, (k) => this.#stat(k), isVisibleTo, "none");
    if (live === undefined) return false;
    await this.#ctx.storeCall(id, () => this.#ctx.store.delete(id));
    this.#decoded.forget(id);
    return true;
  }

  /**
   * A preview of the value under `key` within `maxChars` (default the cache's budget); `undefined` when
   * there is none, it expired, or it is not visible to `owner`.
   */
  async preview(key: string, options: PreviewOptions = {}): Promise<ValuePreview | undefined> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    const { maxChars, owner } = parseOrThrow(PreviewOptionsSchema, options, "preview options", id);
    const kept = await this.#pagedTree(id, owner);
    if (kept === undefined) return undefined;
    const { measure } = this.#ctx.valueBudget;
    const budget = maxChars ?? this.#ctx.valueBudget.maxChars;
    try {
      // The stored text is the value's compact JSON: its length, or its measure, is the whole value's size.
      const result = previewValue(kept.passingTree, {
        maxChars: budget,
        measure,
        totalChars: measure === undefined ? kept.length : measure(kept.text),
      });
      return { refId: id, ...result, maxChars: budget, version: kept.version };
    } catch (error) {
      throw storedFault(error, () => kept.passingTree, id);
    }
  }

  /** A page of the value under `key` (see `pageValue`); `undefined` as for `preview`. */
  async page(key: string, options: PageOptions = {}): Promise<ValuePage | undefined> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    const opts = parseOrThrow(PageOptionsSchema, options, "page options", id);
    const kept = await this.#pagedTree(id, opts.owner);
    if (kept === undefined) return undefined;
    try {
      return pageStored(kept, {
        refId: id,
        cursor: opts.cursor,
        path: opts.path,
        maxChars: opts.maxChars ?? this.#ctx.valueBudget.maxChars,
        measure: this.#ctx.valueBudget.measure,
      });
    } catch (error) {
      throw storedFault(error, () => kept.passingTree, id);
    }
  }

  /**
   * The decoded tree of the value under `id`, read through `#read` (so the same owner and expiry rule
   * applies), kept for the next pages: with a store that has `stat`, a page of a kept value reads only
   * its bookkeeping to check the version.
   */
  async #pagedTree(id: string, owner: string | undefined): Promise<PagedTree | undefined> {
    const options = owner === undefined ? {} : { owner };
    const { store } = this.#ctx;
    const stat = store.stat;
    if (stat !== undefined) {
      const meta = await this.#read(id, options, (k) => stat.call(store, k));
      if (meta === undefined) return undefined;
      refuseExecuteOnly(meta, owner, id);
      const kept = this.#decoded.pagedTree(id, versionOf(meta));
      if (kept !== undefined) return kept;
    }
    const entry = await this.#read(id, options, (k) => store.get(k), isVisibleTo, "whole");
    if (entry === undefined) return undefined;
    refuseExecuteOnly(entry, owner, id);
    const version = versionOf(entry);
    return this.#decoded.pagedTree(id, version) ?? this.#decoded.keepPaged(id, version, entry.data);
  }

  /**
   * Reads through `fetch`, hiding what is expired or not `visible` to the owner (the owner rule unless
   * told otherwise). What is visible is checked (`assertStoredMeta`: its bookkeeping, and its text too for a
   * `"whole"` read); `has` and `delete` (`"none"`) still reach an entry another writer left damaged, so it
   * can be removed.
   */
  async #read<E extends StoreEntryMeta>(
    key: string,
    options: ReadOptions,
    fetch: (id: string) => Promise<E | undefined>,
    visible: (entry: E, owner: string | undefined) => boolean = isVisibleTo,
    check: "whole" | "meta" | "none" = "meta",
  ): Promise<E | undefined> {
    const id = parseOrThrow(RefIdSchema, key, "key");
    const { owner } = parseOrThrow(ReadOptionsSchema, options, "read options", id);
    this.#ctx.assertOpen();
    const entry = await this.#ctx.storeCall(id, () => fetch(id));
    if (entry === undefined || !visible(entry, owner)) return undefined;
    if (check !== "none") assertStoredMeta(entry, id, check === "whole");
    if (!this.#ctx.isLive(entry)) return undefined;
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
    if (value !== undefined && this.#ctx.isLive(value)) {
      assertMayWrite(value, owner, id);
    }
    // A task whose worker is lost (see liveness.ts) holds its key no more than it holds capacity.
    if (task !== undefined && !isTerminalStatus(task.status) && !leaseRanOut(task)) throw new KeyOwnedByTaskError(id);
  }
}
