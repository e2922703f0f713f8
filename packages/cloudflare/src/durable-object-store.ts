/**
 * The value `Store` on shard objects: each key lives in the shard its hash picks (the same shard as a task
 * of the same id), in chunks below SQLite's row limit, so values of many megabytes round-trip exactly.
 * Expiry is native: the shard drops a value at its `expiresAt` (its alarm) and never hands out an expired
 * one.
 */
import type { Store } from "@mcp-refcache/core";
import type { StoreEntry, StoreEntryMeta } from "@mcp-refcache/core/store";
import type { ShardRouter } from "./shard-router.js";

export class DurableObjectStore implements Store {
  /** The shard hands out no value past its `expiresAt`, on the shard's clock. */
  readonly nativeExpiry = true;
  readonly #router: ShardRouter;

  constructor(router: ShardRouter) {
    this.#router = router;
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
    const copy: StoreEntry = { data, createdAt };
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
