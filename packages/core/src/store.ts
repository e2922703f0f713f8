/** One stored value with its bookkeeping. */
export interface StoreEntry {
  value: unknown;
  /** Epoch ms at which the value was written. */
  createdAt: number;
  /** Epoch ms after which the value counts as gone; absent means no expiry. */
  expiresAt?: number;
}

/** An entry's bookkeeping without its value. */
export type StoreEntryMeta = Omit<StoreEntry, "value">;

/**
 * Storage backend of a RefCache. Every method may be asynchronous so that a distributed store
 * (Redis, KV, SQL) plugs in unchanged. A store must hand back an entry that later writes to the
 * caller's objects cannot change (copy or serialise on the way in and out).
 *
 * Expiry is decided by the RefCache from `expiresAt`, with its own clock; a store may also drop
 * expired entries itself (native TTLs) and may implement `prune` for the periodic clean-up.
 */
export interface Store {
  get(key: string): Promise<StoreEntry | undefined>;
  /**
   * An entry's timestamps without its value. Optional: without it `has`, `delete` and expiry checks
   * read the whole value, which for large values costs a copy or a transfer.
   */
  stat?(key: string): Promise<StoreEntryMeta | undefined>;
  set(key: string, entry: StoreEntry): Promise<void>;
  /** Returns whether something was deleted. */
  delete(key: string): Promise<boolean>;
  /** Removes entries whose `expiresAt` is at or before `now`; returns how many. */
  prune?(now: number): Promise<number>;
  /** Releases connections or other resources. */
  close?(): Promise<void>;
}

export interface MemoryStoreOptions {
  /**
   * Copy values with `structuredClone` on the way in and out (default `true`), so a caller that
   * mutates an object after `set`, or one it got from `get`, cannot change what is stored. This also
   * rejects values a distributed store could not hold either (functions, symbols, class instances lose
   * their prototype). Turn off only for values you never mutate and when the copies cost too much.
   */
  clone?: boolean;
}

/** The default store: a Map in this process. */
export class MemoryStore implements Store {
  readonly #entries = new Map<string, StoreEntry>();
  readonly #clone: boolean;

  constructor(options: MemoryStoreOptions = {}) {
    this.#clone = options.clone ?? true;
  }

  /** Number of entries held, expired ones included until they are pruned or read. */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    return { ...entry, value: this.#copy(entry.value) };
  }

  async stat(key: string): Promise<StoreEntryMeta | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const { value: _value, ...meta } = entry;
    return meta;
  }

  async set(key: string, entry: StoreEntry): Promise<void> {
    // Copy before touching the map, so a value that cannot be copied leaves the old entry in place.
    const stored: StoreEntry = { ...entry, value: this.#copy(entry.value) };
    this.#entries.set(key, stored);
  }

  async delete(key: string): Promise<boolean> {
    return this.#entries.delete(key);
  }

  async prune(now: number): Promise<number> {
    let removed = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        this.#entries.delete(key);
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }

  #copy(value: unknown): unknown {
    return this.#clone ? structuredClone(value) : value;
  }
}
