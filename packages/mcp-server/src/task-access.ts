/**
 * The cache reads and writes behind the MCP handlers, each scoped to the caller's owner. State lives
 * only in the cache's TaskStore, so whichever instance shares that store can answer for any task.
 */
import { ErrorCode, isTerminalStatus, type RefCache, RefCacheError, type TaskInfo } from "@mcp-refcache/core";

/** Whose task it is: the owner the request acts for (core's owner rule; never unscoped). */
export type Owner = string;

const scope = (owner: Owner) => ({ owner });

/** The task as the store holds it, or `undefined` when unknown or owned by someone else. */
export function readTask(cache: RefCache, refId: string, owner: Owner): Promise<TaskInfo | undefined> {
  return cache.getTask(refId, scope(owner));
}

/** A complete task's stored value, and whether it is execute-only. */
export interface StoredValue {
  value: unknown;
  /**
   * The stored entry's flag: it decides, not only the task's `resultExecuteOnly`, since server code may
   * store an execute-only value under a finished task's ref id, which every other read path then refuses.
   */
  executeOnly: boolean;
}

/** The stored value of a complete task, or `undefined` once it expired. */
export async function readValue(cache: RefCache, refId: string, owner: Owner): Promise<StoredValue | undefined> {
  const entry = await cache.getEntryForClient(refId, scope(owner));
  return entry === undefined ? undefined : { value: entry.value, executeOnly: entry.executeOnly === true };
}

/**
 * Cancels an unfinished task and returns what is stored afterwards. A task that finished first is left
 * as it is: cancellation is cooperative, and the spec lets such a task end in another state.
 */
export async function cancelUnfinished(cache: RefCache, task: TaskInfo, owner: Owner): Promise<TaskInfo> {
  if (isTerminalStatus(task.status)) return task;
  try {
    return await cache.cancelTask(task.refId, "cancelled by the client", scope(owner));
  } catch (error) {
    // The work finished between the read and the cancel.
    if (!RefCacheError.isInstance(error) || error.code !== ErrorCode.IllegalTransition) throw error;
    return (await readTask(cache, task.refId, owner)) ?? task;
  }
}
