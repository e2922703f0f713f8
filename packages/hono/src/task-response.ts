/** A task as the JSON body of a route, with `Retry-After` while it is still running. */
import { isTerminalStatus, type TaskInfo } from "@mcp-refcache/core";
import type { Context } from "hono";

export function taskResponse(c: Context, task: TaskInfo, retryAfterSeconds: number, status: 200 | 202 = 200): Response {
  if (!isTerminalStatus(task.status)) c.header("Retry-After", String(retryAfterSeconds));
  return c.json(task, status);
}
