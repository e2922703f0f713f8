/**
 * What travels between the Worker-side stores and the shard objects (over Durable Object RPC), in one
 * place so both sides agree. Everything here is structured-clonable data.
 */
import type { TaskStatus } from "@mcp-refcache/core";
import type { StoredTask } from "@mcp-refcache/core/store";

/**
 * A create counted against `maxActiveTasks`, as the ledger object hands it to the id's shard: the live
 * tasks it counted in every other shard, and the maximum. The shard adds its own live tasks and decides.
 */
export interface CapacityCheck {
  /** Live tasks (unfinished, lease not run out) in the other shards, counted just before. */
  elsewhere: number;
  maxActiveTasks: number;
}

/** Where the ledger finds the shards: the env binding, the store prefix and the number of shards. */
export interface ShardLayout {
  binding: string;
  prefix: string;
  shards: number;
}

export interface ShardListQuery {
  status?: readonly TaskStatus[] | undefined;
  owner?: string | undefined;
  /** Only ids after this one (the merged cursor's position). */
  after?: string | undefined;
  limit: number;
}

export interface ShardListPage {
  tasks: StoredTask[];
  /** Whether the shard holds more matches after the last one returned. */
  more: boolean;
}

/** A finished task that a clean-up may remove, with its age on its shard's clock for the merge across shards. */
export interface FinishedMark {
  refId: string;
  /** How long ago (ms, the shard's clock) the write that finished it landed. */
  age: number;
}

/** A value as the shard hands it back: the Store's entry. */
export interface WireEntry {
  data: string;
  createdAt: number;
  expiresAt?: number;
  owner?: string;
  version?: number;
  executeOnly?: true;
}

/** One message on a change socket: a write, or the ids a clean-up removed. */
export type WireChange = { task: StoredTask; origin?: string } | { removed: string[] };
