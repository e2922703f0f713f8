/**
 * `GET /refs/:refId`: the stored value as JSON with its `ETag`, or a problem that tells the client why
 * there is none — unknown or foreign (404), the task is still running or ended without a value (409), or
 * the finished task's value has expired (410).
 */
import { ExecuteOnlyError, type RefCache, storedFault } from "@mcp-refcache/core";
import type { Context } from "hono";
import { revalidate } from "./etag.js";
import { problemFromError, problemResponse } from "./problem.js";
import { type RequestScope, visibleTask } from "./scope.js";

export async function readResult(
  cache: RefCache,
  c: Context,
  refId: string,
  scope: RequestScope,
  retryAfterSeconds: number,
): Promise<Response> {
  const entry = await cache.getEntryForClient(refId, scope.core);
  // A client may pass an execute-only value by reference, never read it (403 EXECUTE_ONLY).
  if (entry?.executeOnly === true) return problemFromError(new ExecuteOnlyError(refId), c.req.path);
  if (entry !== undefined) {
    const fresh = revalidate(c, entry.version);
    if (fresh !== undefined) return fresh;
    try {
      return c.json(entry.value as never);
    } catch (error) {
      // Another writer's text nested past what core writes: a store fault, not a server error.
      return problemFromError(
        storedFault(error, () => entry.value, refId),
        c.req.path,
      );
    }
  }
  return missingValueResponse(cache, c, refId, scope, retryAfterSeconds);
}

/** Why no value is there for this caller: the problem the value routes answer. */
export async function missingValueResponse(
  cache: RefCache,
  c: Context,
  refId: string,
  scope: RequestScope,
  retryAfterSeconds: number,
): Promise<Response> {
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
    // Gone before its time (`resultExpired` unset): deleted, not expired.
    const gone =
      task.resultExpired === true
        ? `its result expired${task.resultExpiresAt === undefined ? "" : ` at ${new Date(task.resultExpiresAt).toISOString()}`}`
        : "its result is no longer stored (it was deleted)";
    return problemResponse({
      code: "RESULT_EXPIRED",
      detail: `Task "${refId}" completed, but ${gone}; run it again`,
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
