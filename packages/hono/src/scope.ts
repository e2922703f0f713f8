/**
 * Whose tasks and values one request may see. Core reads a missing owner as "any owner", so when routes
 * are owner-scoped and the resolver names nobody, the caller must still only see what belongs to nobody:
 * `sees` checks that after each read.
 */
import { OwnerSchema, type RefCache, type TaskInfo } from "@mcp-refcache/core";
import type { Context } from "hono";
import type { OwnerResolver } from "./options.js";

export interface RequestScope {
  /** The owner handed to core calls, without the key when there is none. */
  readonly core: { owner?: string };
  /** Whether something read through `core` may be shown to this caller. */
  sees(item: { owner?: string | undefined }): boolean;
}

/**
 * The scope of this request. A resolver returning anything but a valid owner string is a server bug:
 * it throws a TypeError (a 500), not a ValidationError, since the client did nothing wrong.
 */
export function requestScope(resolver: OwnerResolver | undefined, c: Context): RequestScope {
  if (resolver === undefined) return { core: {}, sees: () => true };
  const raw: unknown = resolver(c);
  if (raw === undefined) return { core: {}, sees: (item) => item.owner === undefined };
  const parsed = OwnerSchema.safeParse(raw);
  if (!parsed.success) throw new TypeError("owner resolver must return a valid owner string");
  return { core: { owner: parsed.data }, sees: () => true };
}

/** The task if this caller may see it. */
export async function visibleTask(cache: RefCache, refId: string, scope: RequestScope): Promise<TaskInfo | undefined> {
  const task = await cache.getTask(refId, scope.core);
  return task !== undefined && scope.sees(task) ? task : undefined;
}
