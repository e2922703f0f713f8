/**
 * Whose tasks and values one request may see. A client call is never unscoped (core's owner rule): the
 * resolver's owner, or — when there is no resolver or it names nobody — the shared anonymous owner, which
 * reads what it holds the id of and never lists. Core applies the rule on every call given this owner.
 */
import { OwnerSchema, type RefCache, resolveOwner, type TaskInfo } from "@mcp-refcache/core";
import type { Context } from "hono";
import type { OwnerResolver } from "./options.js";

export interface RequestScope {
  /** The owner this request acts for: `auth:<principal>`, a resolver's own string, or `anonymous`. */
  readonly owner: string;
  /** The owner, as core calls take it. */
  readonly core: { owner: string };
}

/**
 * The scope of this request. A resolver returning anything but a valid owner string or `undefined` is a
 * server bug: it throws a TypeError (a 500), not a ValidationError, since the client did nothing wrong.
 */
export function requestScope(resolver: OwnerResolver | undefined, c: Context): RequestScope {
  const raw: unknown = resolver === undefined ? undefined : resolver(c);
  if (raw !== undefined && !OwnerSchema.safeParse(raw).success)
    throw new TypeError("owner resolver must return a valid owner string");
  const owner = resolveOwner(raw as string | undefined);
  return { owner, core: { owner } };
}

/** The task if this caller may see it (core hides every other). */
export function visibleTask(cache: RefCache, refId: string, scope: RequestScope): Promise<TaskInfo | undefined> {
  return cache.getTask(refId, scope.core);
}
