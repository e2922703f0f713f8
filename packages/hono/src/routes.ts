/**
 * `refCacheRoutes(cache)`: the Hono app clients use to follow slow work — read, stream, cancel and list
 * tasks, and fetch their results — scoped to the caller's owner when an `owner` resolver is given.
 */
import { TaskNotFoundError } from "@mcp-refcache/core";
import { type Context, Hono } from "hono";
import { type CacheSource, cacheGetter, parseRoutesOptions, type RefCacheRoutesOptions } from "./options.js";
import { refIdParam, taskListQuery } from "./params.js";
import { problemFromError, problemResponse } from "./problem.js";
import { readResult } from "./result.js";
import { requestScope, visibleTask } from "./scope.js";
import { taskEventsResponse } from "./task-events.js";
import { taskResponse } from "./task-response.js";
import { asksForPage, valuePageQuery } from "./value-params.js";
import { addValueRoutes, readValuePage } from "./value-routes.js";

export function refCacheRoutes(source: CacheSource, options: RefCacheRoutesOptions = {}): Hono {
  const cacheOf = cacheGetter(source);
  const { owner: ownerOf, pollIntervalMs, keepAliveMs, retryAfterSeconds } = parseRoutesOptions(options);
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
    // The anonymous owner is refused here (403): its references are protected only by their ids.
    const page = await cacheOf().queryTasks({
      ...(status === undefined ? {} : { status }),
      ...(cursor === undefined ? {} : { cursor }),
      ...(limit === undefined ? {} : { limit }),
      ...scope(c).core,
    });
    return c.json({ tasks: page.tasks, ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }) });
  });

  app.get("/tasks/:refId", refIdParam, async (c) => {
    const { refId } = c.req.valid("param");
    const task = await visibleTask(cacheOf(), refId, scope(c));
    if (task === undefined) throw new TaskNotFoundError(refId);
    return taskResponse(c, task, retryAfterSeconds);
  });

  app.get("/tasks/:refId/events", refIdParam, (c) => {
    const { refId } = c.req.valid("param");
    return taskEventsResponse(cacheOf(), c, { refId, scope: scope(c), pollIntervalMs, keepAliveMs });
  });

  app.delete("/tasks/:refId", refIdParam, async (c) => {
    const { refId } = c.req.valid("param");
    const task = await cacheOf().cancelTask(refId, "cancelled by the client", scope(c).core);
    return taskResponse(c, task, retryAfterSeconds);
  });

  const values = { cacheOf, scope, retryAfterSeconds };
  // The whole value for programs; with cursor, path or maxChars, one page of it.
  app.get("/refs/:refId", refIdParam, valuePageQuery, async (c) => {
    const { refId } = c.req.valid("param");
    const query = c.req.valid("query");
    if (asksForPage(query)) return readValuePage(values, c, refId, query);
    return readResult(cacheOf(), c, refId, scope(c), retryAfterSeconds);
  });
  addValueRoutes(app, values);

  return app;
}
