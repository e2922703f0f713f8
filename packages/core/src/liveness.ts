/**
 * The one liveness rule every view applies (`getTask`, `queryTasks`, the local views, change listeners):
 * an unfinished task whose lease the store says ran out is lost, and reads as failed with "worker lost"
 * even before (or without) that write landing. Whether a lease ran out is the store's to say, on its own
 * clock: no instance judges another's lease by its own wall clock.
 */
import { isTerminalStatus } from "./models.js";
import { copyStoredTask, type ReadonlyStoredTask } from "./task-store.js";

/** The error text of a task whose runner stopped renewing its lease. */
export const WORKER_LOST_MESSAGE = "worker lost: the instance running this task stopped renewing its lease";

/** Whether `task` is unfinished and the store said its lease ran out. */
export function leaseRanOut(task: ReadonlyStoredTask): boolean {
  return task.leaseExpired === true && !isTerminalStatus(task.status);
}

/** `task` as the rule shows it: a lost task as failed "worker lost" (at `now`, this reader's time), else itself. */
export function asSeen(task: ReadonlyStoredTask, now: number): ReadonlyStoredTask {
  if (!leaseRanOut(task)) return task;
  const lost = copyStoredTask(task, true);
  lost.status = "failed";
  lost.error = WORKER_LOST_MESSAGE;
  lost.completedAt = now;
  return lost;
}

/** Thrown by a write's `compute` that finds nothing to change; carries the task as it is stored. */
export class Unchanged {
  constructor(readonly task: ReadonlyStoredTask) {}
}
