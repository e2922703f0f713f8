/**
 * `withTimeoutFallback(cache, options, handler)`: a Hono handler for slow work. The handler runs as a
 * task; finished within `timeoutMs` it answers 200 with the result, otherwise 202 Accepted with
 * `Location` (the task route), `Retry-After` and the task, while the work goes on.
 */
import {
  parseOrThrow,
  resolveRefs,
  runWithTimeoutFallback,
  type TaskInfo,
  type TaskProgressUpdate,
  ValidationError,
} from "@mcp-refcache/core";
import type { Context, Handler } from "hono";
import { HTTPException } from "hono/http-exception";
import {
  type CacheSource,
  cacheGetter,
  type TimeoutFallbackHandlerOptions,
  TimeoutFallbackHandlerOptionsSchema,
} from "./options.js";
import { problemFromError, problemResponse, taskFailedResponse } from "./problem.js";
import { requestScope } from "./scope.js";
import { taskResponse } from "./task-response.js";
import { keepAlive } from "./wait-until.js";

export interface SlowWorkContext {
  /** Aborted when the task is cancelled (`DELETE /tasks/:refId`) or the cache closes. */
  signal: AbortSignal;
  reportProgress(update: TaskProgressUpdate): Promise<TaskInfo | undefined>;
  /**
   * With the `refParams` option: the request's JSON body, its reference arguments resolved. Without it,
   * `undefined` (the handler reads the request itself).
   */
  input?: unknown;
}

/** The slow work; its return value must be JSON data and becomes the response or the stored result. */
export type SlowHandler<T> = (c: Context, work: SlowWorkContext) => T | PromiseLike<T>;

/**
 * The request's JSON body. One sent as anything but JSON (`application/json` or `…+json`) is a 415
 * problem: a form or plain-text POST is what a browser sends from any site without asking (no CORS
 * preflight), so taking it as JSON would let another site's page start work. A JSON body that does not
 * parse is a ValidationError (400).
 */
async function jsonBody(c: Context): Promise<unknown> {
  const type = (c.req.header("content-type") ?? "").split(";", 1)[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && !type.endsWith("+json")) {
    const detail = "Send the body as JSON, with Content-Type: application/json";
    throw new HTTPException(415, {
      res: problemResponse({ code: "UNSUPPORTED_MEDIA_TYPE", detail, instance: c.req.path }),
    });
  }
  try {
    return await c.req.json();
  } catch {
    throw ValidationError.single("body", "the request body must be JSON", "invalid_type");
  }
}

export function withTimeoutFallback<T>(
  source: CacheSource,
  options: TimeoutFallbackHandlerOptions,
  handler: SlowHandler<T>,
): Handler {
  const cacheOf = cacheGetter(source);
  if (typeof handler !== "function") throw new TypeError("withTimeoutFallback: handler must be a function");
  const {
    timeoutMs,
    owner: ownerOf,
    basePath,
    ttlMs,
    retryAfterSeconds,
    settleMs,
    refParams,
    executeOnly,
  } = parseOrThrow(TimeoutFallbackHandlerOptionsSchema, options, "withTimeoutFallback options");

  return async (c) => {
    const instance = c.req.path;
    let refId: string | undefined;
    try {
      const cache = cacheOf();
      const scope = requestScope(ownerOf, c).core;
      // Resolved before the work starts: the handler never runs with half an input.
      const input =
        refParams === undefined
          ? {}
          : {
              input: await resolveRefs(cache, await jsonBody(c), refParams, {
                ...scope,
                checkValues: true,
                what: "body",
              }),
            };
      let workDone: Promise<unknown> = Promise.resolve();
      const outcome = await runWithTimeoutFallback(
        cache,
        (context) => {
          refId = context.refId;
          const running = Promise.resolve().then(() =>
            handler(c, { signal: context.signal, reportProgress: context.reportProgress, ...input }),
          );
          workDone = running;
          return running;
        },
        {
          timeoutMs,
          ...(ttlMs === undefined ? {} : { ttlMs }),
          ...(executeOnly === true ? { executeOnly: true } : {}),
          ...scope,
        },
      );
      if (outcome.status === "complete") {
        c.header("Content-Location", `${basePath}/refs/${encodeURIComponent(outcome.refId)}`);
        // An execute-only result is answered as its reference alone.
        if (executeOnly === true) return c.json({ refId: outcome.refId, status: "completed", executeOnly: true }, 200);
        return c.json(outcome.value as never, 200);
      }
      const pendingId = outcome.refId;
      // The task is terminal only once its result is stored, so wait for that too (bounded by settleMs).
      const settled = workDone
        .catch(() => undefined)
        .then(() => cache.waitForTask(pendingId, { timeoutMs: settleMs, ...scope }))
        .catch(() => undefined);
      keepAlive(c, settled);
      c.header("Location", `${basePath}/tasks/${encodeURIComponent(pendingId)}`);
      return taskResponse(c, outcome.task, retryAfterSeconds, 202);
    } catch (error) {
      if (error instanceof HTTPException) return error.getResponse();
      // Before the work started, the cache refused the task (capacity, store down, closed): the table
      // answers. After, it is the task's own failure, which the task records too.
      if (refId === undefined) return problemFromError(error, instance, retryAfterSeconds);
      return taskFailedResponse(error, refId, instance);
    }
  };
}
