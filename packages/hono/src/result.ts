/**
 * `GET /refs/:refId`: the stored value as JSON, or a problem that tells the client why there is none —
 * unknown or foreign (404), the task is still running or ended without a value (409), or the finished
 * task's value has expired (410).
 */
import type { RefCache } from "@mcp-refcache/core";
import type { Context } from "hono";
import { problemResponse } from "./problem.js";
import { type RequestScope, visibleTask } from "./scope.js";

export async function readResult(
  cache: RefCache,
  c: Context,
  refId: string,
  scope: RequestScope,
  retryAfterSeconds: number,
): Promise<Response> {
  const entry = await cache.getEntry(refId, scope.core);
  if (entry !== undefined) {
    // Values are never more public than their owner; a value with an expiry must not outlive it in a cache.
    c.header("Cache-Control", "private, no-store");
    return c.json(entry.value as never);
  }
  const instance = c.req.path;
  const task = await visibleTask(cache, refId, scope);
  if (task === undefined) {
    return problemResponse({
      code: "REF_NOT_FOUND",
      detail: `Nothing is stored under "${refId}"`,
      instance,
      extensions: { refId },
    });
  }
  if (task.status === "pending" || task.status === "processing") {
    return problemResponse({
      code: "RESULT_NOT_READY",
      detail: `Task "${refId}" is ${task.status}; follow it and fetch the result once it is complete`,
      instance,
      retryAfterSeconds,
      extensions: { refId, taskStatus: task.status },
    });
  }
  if (task.status === "complete") {
    return problemResponse({
      code: "RESULT_EXPIRED",
      detail: `Task "${refId}" completed, but its result expired${task.resultExpiresAt === undefined ? "" : ` at ${new Date(task.resultExpiresAt).toISOString()}`}; run it again`,
      instance,
      extensions: {
        refId,
        taskStatus: task.status,
        ...(task.resultExpiresAt === undefined ? {} : { resultExpiresAt: task.resultExpiresAt }),
      },
    });
  }
  return problemResponse({
    code: "RESULT_UNAVAILABLE",
    detail: `Task "${refId}" ${task.status === "failed" ? "failed" : "was cancelled"}${task.error === undefined ? "" : `: ${task.error}`}`,
    instance,
    extensions: { refId, taskStatus: task.status },
  });
}
