/**
 * The value store: where results and cached values live, as JSON text encoded by core's codec. Stores
 * never see raw values, so every store (memory, Redis, …) accepts and refuses exactly the same ones.
 */
import { inProcessValueStore, resultLink } from "./in-process-keys.js";
import { hasMethods } from "./parse.js";
import { yieldToEventLoop } from "./timer.js";

/** One stored value with its bookkeeping. */
export interface StoreEntry {
  /** The value as JSON text (`encodeValue`). */
  data: string;
  /** Epoch ms at which the value was written. */
  createdAt: number;
  /** Epoch ms after which the value counts as gone; absent means no expiry. */
  expiresAt?: number;
  /** Who the value belongs to; absent means anyone. */
  owner?: string;
  /**
   * Names this write of the value together with `createdAt`: a random whole number below 2³⁰, new on every
   * write (small, so an entry holds it without an allocation). Page cursors and HTTP `ETag`s are bound to
   * `versionOf(entry)`. Core writes it on every entry and a store must keep it; entries written before it
   * existed have none, and `versionOf` derives their version from `createdAt` alone.
   */
  version?: number;
  /**
   * Present (only ever `true`) when clients may pass the value by reference but never read it. A store must
   * keep it: one that dropped it would hand a secret to every read path.
   */
  executeOnly?: true;
}

/**
 * Every field of `StoreEntry`, in the order the memory store copies them. Fenced: a field added to
 * `StoreEntry` fails to compile until it is listed here, and the store conformance suite checks every
 * listed field survives a write and a read on every store.
 */
export const STORE_ENTRY_KEYS = [
  "data",
  "createdAt",
  "expiresAt",
  "version",
  "owner",
  "executeOnly",
] as const satisfies readonly (keyof StoreEntry)[];
true satisfies [Exclude<keyof StoreEntry, (typeof STORE_ENTRY_KEYS)[number]>] extends [never] ? true : never;

/** An entry's bookkeeping without its value. */
export type StoreEntryMeta = Omit<StoreEntry, "data">;

/**
 * Storage backend of a RefCache's values. Every method may be asynchronous so that a distributed store
 * (Redis, KV, SQL) plugs in unchanged.
 *
 * Expiry is decided by the RefCache from `expiresAt`, with its own clock, unless the store says it expires
 * entries itself (`nativeExpiry`); a store may implement `prune` for the periodic clean-up.
 */
/** Whether `v` has the methods every value store has (`get`, `set`, `delete`): the `store` option's check. */
export function isValueStore(v: unknown): v is Store {
  return hasMethods(v, ["get", "set", "delete"]);
}

export interface Store {
  get(key: string): Promise<StoreEntry | undefined>;
  /**
   * An entry's bookkeeping without its value. Optional: without it `has`, `delete` and expiry checks read
   * the whole value, which for large values costs a transfer.
   */
  stat?(key: string): Promise<StoreEntryMeta | undefined>;
  set(key: string, entry: StoreEntry): Promise<void>;
  /** Returns whether something was deleted. */
  delete(key: string): Promise<boolean>;
  /** Removes entries whose `expiresAt` is at or before `now`; returns how many. */
  prune?(now: number): Promise<number>;
  /** Releases connections or other resources. */
  close?(): Promise<void>;
  /**
   * `true` when the store drops an entry at its expiry on its own clock and never hands out an expired one
   * (Redis's TTL, sent as a duration; a Durable Object's alarm and its reads' check). The RefCache then takes
   * what the store hands back as live instead of comparing `expiresAt` with its own clock, so instances whose
   * clocks are apart agree on which values live, and an owner's live value is never taken for expired by an
   * instance whose clock runs ahead (and written over by another owner).
   */
  readonly nativeExpiry?: boolean;
  /**
   * Why the store can never take an entry of this JSON text (too large for one of its messages, say), or
   * `undefined` when it can. Asked before every write of a value or a task's result: a value it refuses is a
   * ValidationError (`VALIDATION_ERROR`, as past `maxValueBytes`) and a task whose result it refuses fails
   * at once ("result could not be stored"), instead of a write that fails as a store outage, again and again.
   */
  dataTooLarge?(data: string): string | undefined;
}

/**
 * `Store.set` and `Store.delete`, done before they return, by a value store in this process (offered under
 * the `inProcessValueStore` key; see in-process-store.ts and `@mcp-refcache/core/internal`).
 */
export interface SyncValueWrites {
  set(key: string, entry: StoreEntry): void;
  delete(key: string): boolean;
}

/** What a task store offers its paired value store (kept-results.ts): the results it keeps beside its tasks. */
export interface KeptResultsView {
  get(key: string): StoreEntry | undefined;
  stat(key: string): StoreEntryMeta | undefined;
  /** Drops the result kept under `key`; whether there was one. */
  drop(key: string): boolean;
  /** Drops every kept result whose `expiresAt` is at or before `now`; how many. */
  prune(now: number): Promise<number>;
  /** Drops every kept result. */
  clear(): void;
  /** Number of results kept. */
  readonly size: number;
}

/** What the value store hands back: writes to its own Map alone (no kept result touched). */
export interface EntryWrites {
  set(key: string, entry: StoreEntry): void;
  delete(key: string): boolean;
}

/** A value store that can take a task store's kept results; `undefined` when it is taken or not plain. */
export interface ResultLinkable {
  [resultLink](results: KeptResultsView): EntryWrites | undefined;
}

/** Entries the memory store's prune looks at before it lets other work run. */
const PRUNE_CHUNK = 500;

/**
 * The default store: a Map in this process. Entries hold immutable JSON text, so nothing needs copying.
 * Paired with a MemoryTaskStore, it also answers for the results that task store keeps beside its tasks
 * (kept-results.ts): to every caller they are entries like the others.
 */
export class MemoryStore implements Store, ResultLinkable {
  readonly #entries = new Map<string, StoreEntry>();
  /** The results its paired task store keeps beside its tasks, once linked. */
  #kept: KeptResultsView | undefined;

  /** Number of entries held, expired ones included until they are pruned or read. */
  get size(): number {
    return this.#entries.size + (this.#kept?.size ?? 0);
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    const entry = this.#entries.get(key);
    return entry === undefined ? this.#kept?.get(key) : { ...entry };
  }

  async stat(key: string): Promise<StoreEntryMeta | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return this.#kept?.stat(key);
    const { data: _data, ...meta } = entry;
    return meta;
  }

  async set(key: string, entry: StoreEntry): Promise<void> {
    this.#setSync(key, entry);
  }

  async delete(key: string): Promise<boolean> {
    return this.#deleteSync(key);
  }

  /**
   * Writes that take effect when called, for a task store in this process (the memory task store writes
   * results through them without a round of promises). Offered only while `set` and `delete` are this
   * class's own: a subclass that overrides either is written through its overrides (asynchronously).
   */
  get [inProcessValueStore](): SyncValueWrites | undefined {
    return this.set === MemoryStore.prototype.set && this.delete === MemoryStore.prototype.delete
      ? this.#syncWrites
      : undefined;
  }

  readonly #syncWrites: SyncValueWrites = {
    set: (key, entry) => this.#setSync(key, entry),
    delete: (key) => this.#deleteSync(key),
  };

  /**
   * Takes the results a task store keeps beside its tasks (once, and only while every method is this
   * class's own, so no override misses them); hands back writes to its own Map alone.
   */
  [resultLink](kept: KeptResultsView): EntryWrites | undefined {
    const own = MemoryStore.prototype;
    if (
      this.#kept !== undefined ||
      this.get !== own.get ||
      this.stat !== own.stat ||
      this.set !== own.set ||
      this.delete !== own.delete ||
      this.prune !== own.prune ||
      this.close !== own.close
    ) {
      return undefined;
    }
    this.#kept = kept;
    return {
      set: (key, entry) => this.#entries.set(key, copyEntry(entry)),
      delete: (key) => this.#entries.delete(key),
    };
  }

  #setSync(key: string, entry: StoreEntry): void {
    const copy = copyEntry(entry);
    this.#kept?.drop(key);
    this.#entries.set(key, copy);
  }

  #deleteSync(key: string): boolean {
    const deleted = this.#entries.delete(key);
    return this.#kept?.drop(key) === true || deleted;
  }

  /** Scans in chunks, letting other work run between them, so a large store never stalls the event loop. */
  async prune(now: number): Promise<number> {
    let removed = 0;
    let seen = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        this.#entries.delete(key);
        removed++;
      }
      if (++seen % PRUNE_CHUNK === 0) await yieldToEventLoop();
    }
    return this.#kept === undefined ? removed : removed + (await this.#kept.prune(now));
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#kept?.clear();
  }
}

/** `entry` as the memory store keeps it: its fields in one literal (adding one later costs a side array). */
function copyEntry(entry: StoreEntry): StoreEntry {
  const { data, createdAt, expiresAt, owner, version, executeOnly } = entry;
  if (typeof data !== "string") throw new TypeError("StoreEntry.data must be encoded JSON text");
  let copy: StoreEntry;
  if (version === undefined) copy = expiresAt === undefined ? { data, createdAt } : { data, createdAt, expiresAt };
  else copy = expiresAt === undefined ? { data, createdAt, version } : { data, createdAt, expiresAt, version };
  if (owner !== undefined) copy.owner = owner;
  if (executeOnly === true) copy.executeOnly = true;
  return copy;
}
