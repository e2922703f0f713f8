/** The task state machine: which status may follow which. Terminal statuses allow nothing. */
import type { TaskStatus } from "./models.js";

export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ["processing", "complete", "failed", "cancelled"],
  processing: ["processing", "complete", "failed", "cancelled"],
  complete: [],
  failed: [],
  cancelled: [],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}
