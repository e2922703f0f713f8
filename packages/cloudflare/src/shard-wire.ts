/**
 * What travels between the Worker-side stores and the shard objects (over Durable Object RPC), in one
 * place so both sides agree. Everything here is structured-clonable data.
 */
import type { StoredTask, TaskStatus } from "@mcp-refcache/core";

/** Counting a task against `maxActiveTasks` in the ledger object. */
export interface LedgerRef {
  /** Name of the ledger object (`idFromName`). */
  ledger: string;
  /** Name of the env binding of the shard namespace, so the shard can reach the ledger later. */
  binding: string;
  maxActiveTasks: number;
}

/** Arguments of a write besides the task: who wrote, and when by the writer's clock. */
export interface WriteMeta {
  origin?: string | undefined;
  /** The writer's `Date.now()` when it sent the write: turns its lease deadline into a duration. */
  sentAt: number;
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

/** A finished task that a clean-up may remove, with its finish time for the merge across shards. */
export interface FinishedMark {
  refId: string;
  finishedAt: number;
}

/** A value as the shard hands it back: the Store's entry. */
export interface WireEntry {
  data: string;
  createdAt: number;
  expiresAt?: number;
  owner?: string;
}

/** One message on a change socket. */
export interface WireChange {
  task: StoredTask;
  origin?: string;
}

/** Outcome of a ledger admission. */
export type LedgerOutcome = { ok: true } | { ok: false; activeTasks: number };
