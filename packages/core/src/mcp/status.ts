/**
 * Status names on the MCP wire (`working`, `completed`, …) and how they map onto core's task statuses.
 * Both MCP task generations (2025-11-25 and the 2026-07-28 extension) use the same five names.
 */
import * as z from "zod";
import type { TaskStatus } from "../models.js";

export const McpTaskStatusSchema = z.enum(["working", "input_required", "completed", "failed", "cancelled"]);
export type McpTaskStatus = z.infer<typeof McpTaskStatusSchema>;

const TO_MCP: Readonly<Record<TaskStatus, McpTaskStatus>> = {
  pending: "working",
  processing: "working",
  complete: "completed",
  failed: "failed",
  cancelled: "cancelled",
};

/** The MCP status a client sees for a core status: `pending` and `processing` both read as `working`. */
export function toMcpTaskStatus(status: TaskStatus): McpTaskStatus {
  return TO_MCP[status];
}

/** The core statuses an MCP status stands for (empty for `input_required`, which core never uses). */
export function fromMcpTaskStatus(status: McpTaskStatus): TaskStatus[] {
  return (Object.keys(TO_MCP) as TaskStatus[]).filter((core) => TO_MCP[core] === status);
}

/** Statuses after which an MCP task never changes again. */
export function isTerminalMcpStatus(status: McpTaskStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}
