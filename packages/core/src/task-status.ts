/**
 * The task lifecycle's status names: a leaf file (zod only), so errors.ts and models.ts can both use them
 * without importing each other.
 */
import * as z from "zod";

/** Lifecycle of a task: `pending → processing → complete | failed | cancelled`. */
export const TaskStatusSchema = z.enum(["pending", "processing", "complete", "failed", "cancelled"]);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** Statuses from which a task can no longer move. */
export const TERMINAL_STATUSES: readonly TaskStatus[] = Object.freeze(["complete", "failed", "cancelled"] as const);

/** Whether a task in `status` has finished (complete, failed or cancelled) and can no longer move. */
export function isTerminalStatus(status: TaskStatus): boolean {
  return status === "complete" || status === "failed" || status === "cancelled";
}
