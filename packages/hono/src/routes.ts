/**
 * `refCacheRoutes(cache)`: the Hono app clients use to follow slow work — read, stream, cancel and list
 * tasks, and fetch their results — scoped to the caller's owner when an `owner` resolver is given.
 */
import { isTerminalStatus, type TaskInfo, TaskNotFoundError } from "@mcp-refcache/core";
import { type Context, Hono } from "hono";
import { type CacheSource, cacheGetter, parseRoutesOptions, type RefCacheRoutesOptions } from "./options.js";
import { refIdParam, taskListQuery } from "./params.js";
import { problemFromError, problemResponse } from "./problem.js";
import { readResult } from "./result.js";
import { requestScope, visibleTask } from "./scope.js";
import { taskEventsResponse } from "./task-events.js";

/** The task as JSON, with `Retry-After` while it is still running. */
export function taskResponse(c: Context, task: TaskInfo, retryAfterSeconds: number, status: 200 | 202 = 200): Response {
  if (!isTerminalStatus(task.status)) c.header("Retry-After", String(retryAfterSeconds));
  return c.json(task, status);
}

export function refCacheRoutes(source: CacheSource, options: RefCacheRoutesOptions = {}): Hono {
  const cacheOf = cacheGetter(source);
  const { owner: ownerOf, pollIntervalMs, retryAfterSeconds } = parseRoutesOptions(options);
  const app = new Hono();
  const scope = (c: Context) => requestScope(ownerOf, c);

  app.onError((error, c) => problemFromError(error, c.req.path, retryAfterSeconds));
  app.notFound((c) =>
    problemResponse({
      code: "ROUTE_NOT_FOUND",
      detail: `No route for ${c.req.method} ${c.req.path}`,
      instance: c.req.path,
    }),
  );

  app.get("/tasks", taskListQuery, async (c) => {
    const { status, cursor, limit } = c.req.valid("query");
    const { core, sees } = scope(c);
    const page = await cacheOf().queryTasks({
      ...(status === undefined ? {} : { status }),
      ...(cursor === undefined ? {} : { cursor }),
      ...(limit === undefined ? {} : { limit }),
      ...core,
    });
    const tasks = page.tasks.filter(sees);
    return c.json({ tasks, ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }) });
  });

  app.get("/tasks/:refId", refIdParam, async (c) => {
    const { refId } = c.req.valid("param");
    const task = await visibleTask(cacheOf(), refId, scope(c));
    if (task === undefined) throw new TaskNotFoundError(refId);
    return taskResponse(c, task, retryAfterSeconds);
  });

  app.get("/tasks/:refId/events", refIdParam, (c) => {
    const { refId } = c.req.valid("param");
    return taskEventsResponse(cacheOf(), c, { refId, scope: scope(c), pollIntervalMs });
  });

  app.delete("/tasks/:refId", refIdParam, async (c) => {
    const { refId } = c.req.valid("param");
    const requestScoped = scope(c);
    // Core cannot express "owned by nobody", so an anonymous caller's cancel is checked first.
    if (!requestScoped.sees((await cacheOf().getTask(refId, requestScoped.core)) ?? {}))
      throw new TaskNotFoundError(refId);
    const task = await cacheOf().cancelTask(refId, "cancelled by the client", requestScoped.core);
    return taskResponse(c, task, retryAfterSeconds);
  });

  app.get("/refs/:refId", refIdParam, async (c) => {
    const { refId } = c.req.valid("param");
    return readResult(cacheOf(), c, refId, scope(c), retryAfterSeconds);
  });

  return app;
}
