/**
 * Who a task belongs to: the authenticated principal when the HTTP layer verified one, else the MCP
 * session. Core scopes every task and value read by this string, so one caller never sees another's refs.
 */
import type { ServerContext } from "@modelcontextprotocol/server";

/** Returns the owner for a request, or `undefined` for an unscoped caller (stdio, stateless without auth). */
export type OwnerResolver = (ctx: ServerContext) => string | undefined;

/**
 * `auth:<clientId>` when the request carries `authInfo`, `session:<id>` on a stateful legacy session,
 * `undefined` otherwise (task ids are unguessable, so an unscoped ref is still a capability).
 */
export const defaultOwner: OwnerResolver = (ctx) => {
  const clientId = ctx.http?.authInfo?.clientId;
  if (clientId) return `auth:${clientId}`;
  if (ctx.sessionId) return `session:${ctx.sessionId}`;
  return undefined;
};
