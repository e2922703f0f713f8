/**
 * A finished task as a store keeps it until clean-up: built in one object literal, so V8 holds every field
 * in the object itself. Fields added after an object is made go to a side array (40 bytes and more per
 * task), and finished tasks are what a cache holds by the thousand, so the common shapes get a literal each.
 */
import type { TaskStatus } from "./models.js";
import { copyProgress, copyStoredTask, type ReadonlyStoredTask, type StoredTask } from "./task-store.js";

/** How a task ends: its terminal status, when (epoch ms), and the field that comes last. */
export interface TaskEnd {
  status: TaskStatus;
  at: number;
  /** Why it failed or was cancelled (already truncated). */
  error?: string | undefined;
  /** When the result of a complete task expires (epoch ms). */
  resultExpiresAt?: number | undefined;
}

/**
 * `current` ended as `end` says: its fields (progress copied), without its lease, with `status`,
 * `updatedAt` and `completedAt` set to the end, and `error` or `resultExpiresAt` when given. The same
 * fields, in the same order, as `copyStoredTask(current, true)` with those set on it (`finishedTaskSlow`),
 * which a property test holds it to.
 */
export function finishedTask(current: ReadonlyStoredTask, end: TaskEnd): StoredTask {
  const { status, at: now, error, resultExpiresAt } = end;
  // Rare shapes (a per-task TTL, an execute-only result, neither or both of the last fields) take the
  // general path. A field added to StoredTask must be listed here or in the literals below.
  if (
    current.resultTtlMs !== undefined ||
    current.resultExecuteOnly !== undefined ||
    current.resultExpired !== undefined ||
    current.completedAt !== undefined ||
    current.resultExpiresAt !== undefined ||
    current.error !== undefined ||
    (error === undefined) === (resultExpiresAt === undefined)
  ) {
    return finishedTaskSlow(current, end);
  }
  const { refId, startedAt, retryCount, runId, version, owner } = current;
  const progress = current.progress === undefined ? undefined : copyProgress(current.progress);
  if (error !== undefined) {
    if (owner === undefined) {
      return progress === undefined
        ? { refId, status, startedAt, updatedAt: now, retryCount, runId, version, completedAt: now, error }
        : { refId, status, startedAt, updatedAt: now, retryCount, runId, version, progress, completedAt: now, error };
    }
    return progress === undefined
      ? { refId, status, startedAt, updatedAt: now, retryCount, runId, version, owner, completedAt: now, error }
      : {
          refId,
          status,
          startedAt,
          updatedAt: now,
          retryCount,
          runId,
          version,
          owner,
          progress,
          completedAt: now,
          error,
        };
  }
  const expires = resultExpiresAt as number;
  if (owner === undefined) {
    return progress === undefined
      ? {
          refId,
          status,
          startedAt,
          updatedAt: now,
          retryCount,
          runId,
          version,
          completedAt: now,
          resultExpiresAt: expires,
        }
      : {
          refId,
          status,
          startedAt,
          updatedAt: now,
          retryCount,
          runId,
          version,
          progress,
          completedAt: now,
          resultExpiresAt: expires,
        };
  }
  return progress === undefined
    ? {
        refId,
        status,
        startedAt,
        updatedAt: now,
        retryCount,
        runId,
        version,
        owner,
        completedAt: now,
        resultExpiresAt: expires,
      }
    : {
        refId,
        status,
        startedAt,
        updatedAt: now,
        retryCount,
        runId,
        version,
        owner,
        progress,
        completedAt: now,
        resultExpiresAt: expires,
      };
}

/** `finishedTask` field by field, as tasks ended before it: a copy without the lease, the end's fields set on it. */
export function finishedTaskSlow(current: ReadonlyStoredTask, end: TaskEnd): StoredTask {
  const next = copyStoredTask(current, true);
  next.status = end.status;
  next.updatedAt = end.at;
  next.completedAt = end.at;
  if (end.error !== undefined) next.error = end.error;
  if (end.resultExpiresAt !== undefined) next.resultExpiresAt = end.resultExpiresAt;
  return next;
}
