/**
 * Who a request acts for (core's owner rule): the authenticated principal when the HTTP layer verified
 * one, else the shared anonymous owner — so a reference outlives the session that made it. Session scope
 * is an explicit choice (`sessionScope`). Core scopes every task and value read and write by this string.
 */
import { resolveOwner, sessionOwner } from "@mcp-refcache/core";
import { ownerFromAuthInfo } from "@mcp-refcache/core/mcp";
import type { ServerContext } from "@modelcontextprotocol/server";

/** Returns the owner of a request; `undefined` means the shared anonymous owner, never "unscoped". */
export type OwnerResolver = (ctx: ServerContext) => string | undefined;

/**
 * `auth:<clientId>` when the request carries verified `authInfo`, else `undefined` (the anonymous owner,
 * whose references are protected by their unguessable ids alone and which never lists).
 */
export const defaultOwner: OwnerResolver = (ctx) => ownerFromAuthInfo(ctx.http?.authInfo);

/**
 * Session scope, chosen on purpose: `session:<id>` on a stateful 2025-era session (a reference dies with its
 * session), else the anonymous owner (2026-era requests are stateless).
 */
export const sessionScope: OwnerResolver = (ctx) =>
  ctx.sessionId === undefined || ctx.sessionId === "" ? undefined : sessionOwner(ctx.sessionId);

/** The owner `resolver` names for `ctx`, with `undefined` read as the anonymous owner. */
export function ownerOf(resolver: OwnerResolver, ctx: ServerContext): string {
  return resolveOwner(resolver(ctx));
}
