/**
 * The spec's related-task `_meta` (2025-11-25 "Related Task Metadata", key
 * `io.modelcontextprotocol/related-task`) on a pending reference, so a client that reads `_meta` sees
 * that the answer stands for a task still running, not a final result, and which task id to follow.
 */
import type { McpToolResult } from "./result-shapes.js";

export const RELATED_TASK_META_KEY = "io.modelcontextprotocol/related-task";

/** `result` with `_meta["io.modelcontextprotocol/related-task"] = { taskId }` added (other `_meta` kept). */
export function withRelatedTask(result: McpToolResult, taskId: string): McpToolResult {
  const meta = typeof result._meta === "object" && result._meta !== null ? (result._meta as object) : {};
  return { ...result, _meta: { ...meta, [RELATED_TASK_META_KEY]: { taskId } } };
}
