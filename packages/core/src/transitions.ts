/** The task state machine: which status may follow which. Terminal statuses allow nothing. */
import type { TaskStatus } from "./models.js";

/** Frozen, lists and all: it is exported, and a caller changing it would change every cache in the process. */
export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = Object.freeze({
  pending: Object.freeze(["processing", "complete", "failed", "cancelled"] as const),
  processing: Object.freeze(["processing", "complete", "failed", "cancelled"] as const),
  complete: Object.freeze([] as const),
  failed: Object.freeze([] as const),
  cancelled: Object.freeze([] as const),
});

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}
