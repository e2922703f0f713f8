/**
 * The value routes beside `GET /refs/:refId`: one page of a value (`?cursor=&path=&maxChars=`, with an
 * RFC 8288 `Link: <…>; rel="next"` while more follows), its preview (`/refs/:refId/preview?maxChars=`)
 * and `DELETE /refs/:refId`, which releases a value its caller owns. Sizes a client asks for are capped at
 * the cache's `valueBudget`; a bad cursor or path is core's ValidationError, answered 400 by the table.
 */
import { type RefCache, resolveValueBudget } from "@mcp-refcache/core";
import type { Context, Hono } from "hono";
import { revalidate } from "./etag.js";
import { refIdParam } from "./params.js";
import { problemResponse } from "./problem.js";
import { missingValueResponse } from "./result.js";
import type { RequestScope } from "./scope.js";
import { type ValuePageQuery, valuePreviewQuery } from "./value-params.js";

export interface ValueRouteContext {
  cacheOf: () => RefCache;
  scope: (c: Context) => RequestScope;
  retryAfterSeconds: number;
}

/** A client's `maxChars`, capped at the server's budget (ValidationError below 64). */
function cappedMaxChars(cache: RefCache, maxChars: number | undefined): number {
  const budget = resolveValueBudget(cache.valueBudget, undefined, maxChars);
  return budget === false ? cache.valueBudget.maxChars : budget.maxChars;
}

/** The `Link` target of the next page: this route with the cursor (which carries the path) and the size. */
function nextLink(c: Context, cursor: string, maxChars: number | undefined): string {
  const query = new URLSearchParams({ cursor });
  if (maxChars !== undefined) query.set("maxChars", String(maxChars));
  return `<${c.req.path}?${query}>; rel="next"`;
}

/** `GET /refs/:refId?cursor=&path=&maxChars=`: one page of the value as JSON (a ValuePage). */
export async function readValuePage(
  context: ValueRouteContext,
  c: Context,
  refId: string,
  query: ValuePageQuery,
): Promise<Response> {
  const cache = context.cacheOf();
  const scope = context.scope(c);
  // Core applies the owner rule: another owner's or a server-only value reads as unknown.
  const page = await cache.page(refId, {
    maxChars: cappedMaxChars(cache, query.maxChars),
    ...scope.core,
    ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    ...(query.path === undefined ? {} : { path: query.path }),
  });
  if (page === undefined) return missingValueResponse(cache, c, refId, scope, context.retryAfterSeconds);
  if (page.nextCursor !== undefined) c.header("Link", nextLink(c, page.nextCursor, query.maxChars));
  return revalidate(c, page.version) ?? c.json(page);
}

/** Adds `GET /refs/:refId/preview` and `DELETE /refs/:refId` to `app`. */
export function addValueRoutes(app: Hono, context: ValueRouteContext): void {
  app.get("/refs/:refId/preview", refIdParam, valuePreviewQuery, async (c) => {
    const { refId } = c.req.valid("param");
    const { maxChars } = c.req.valid("query");
    const cache = context.cacheOf();
    const scope = context.scope(c);
    const preview = await cache.preview(refId, { maxChars: cappedMaxChars(cache, maxChars), ...scope.core });
    if (preview === undefined) return missingValueResponse(cache, c, refId, scope, context.retryAfterSeconds);
    return revalidate(c, preview.version) ?? c.json(preview);
  });

  app.delete("/refs/:refId", refIdParam, async (c) => {
    const { refId } = c.req.valid("param");
    const cache = context.cacheOf();
    const scope = context.scope(c);
    // A running task's key is refused by core (KEY_OWNED_BY_TASK, 409): cancel the task instead.
    if (await cache.delete(refId, scope.core)) return c.body(null, 204);
    return problemResponse({
      code: "REF_NOT_FOUND",
      detail: `Nothing is stored under "${refId}"`,
      instance: c.req.path,
      extensions: { refId },
    });
  });
}
