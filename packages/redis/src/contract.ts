/**
 * The core types this package implements, in one place. Until the TaskStore change lands in
 * `@mcp-refcache/core` they mirror `packages/core/API-NEXT.md`; afterwards this file only re-exports core.
 */
import type { TaskInfo, TaskStatus } from "@mcp-refcache/core";

export { isTerminalStatus, RefIdSchema, StoreError, TaskStatusSchema, ValidationError } from "@mcp-refcache/core";
export type { TaskInfo, TaskStatus };

/** One stored value: `data` is JSON text already encoded by core's codec. */
export interface StoreEntry {
  data: string;
  createdAt: number;
  expiresAt?: number;
  owner?: string;
}

export type StoreEntryMeta = Omit<StoreEntry, "data">;

export interface Store {
  get(key: string): Promise<StoreEntry | undefined>;
  stat?(key: string): Promise<StoreEntryMeta | undefined>;
  set(key: string, entry: StoreEntry): Promise<void>;
  delete(key: string): Promise<boolean>;
  prune?(now: number): Promise<number>;
  close?(): Promise<void>;
}

export interface StoredTask extends TaskInfo {
  version: number;
  leaseExpiresAt?: number;
  runId?: string;
  owner?: string;
  resultExpiresAt?: number;
  resultExpired?: boolean;
}

export interface CreateTaskOptions {
  maxActiveTasks?: number;
}

export type CreateTaskOutcome =
  | { ok: true; task: StoredTask }
  | { ok: false; reason: "active"; current: StoredTask }
  | { ok: false; reason: "capacity"; activeTasks: number };

export type UpdateTaskOutcome = { ok: true; task: StoredTask } | { ok: false; current: StoredTask | undefined };

export interface TaskQuery {
  status?: readonly TaskStatus[];
  owner?: string;
  cursor?: string;
  limit: number;
}

export interface TaskPage<T> {
  tasks: T[];
  nextCursor?: string;
}

export interface TaskChange {
  task: StoredTask;
  origin?: string;
}

export type TaskChangeListener = (change: TaskChange) => void;

export interface TaskStore {
  get(refId: string): Promise<StoredTask | undefined>;
  create(task: StoredTask, options?: CreateTaskOptions, origin?: string): Promise<CreateTaskOutcome>;
  update(task: StoredTask, expectedVersion: number, result?: StoreEntry, origin?: string): Promise<UpdateTaskOutcome>;
  list(query: TaskQuery): Promise<TaskPage<StoredTask>>;
  listExpiredLeases(now: number, limit: number): Promise<StoredTask[]>;
  removeFinished(finishedBefore: number, limit: number): Promise<string[]>;
  subscribe?(listener: TaskChangeListener): () => void;
  close?(): Promise<void>;
}
