/**
 * The owner an MCP request acts for by default, the same in both MCP adapters: the authenticated
 * principal when the HTTP layer verified a token, else the shared anonymous owner (core's owner rule).
 */
import { ANONYMOUS_OWNER, ownerForPrincipal } from "../owner.js";

/** The part of an SDK's `AuthInfo` (v1 and v2 alike) that names who is calling. */
export interface RequestAuthInfo {
  /** The OAuth client the verified token was issued to. */
  clientId?: string | undefined;
}

/**
 * `auth:<clientId>` when `authInfo` names a client, else `undefined` (an owner resolver's `undefined` is
 * the anonymous owner). `clientId` names the OAuth client, not its user: where many users share one
 * client, resolve the owner from the token's subject instead (`ownerForPrincipal(sub)`).
 */
export function ownerFromAuthInfo(authInfo: RequestAuthInfo | undefined): string | undefined {
  const clientId = authInfo?.clientId;
  return typeof clientId === "string" && clientId !== "" ? ownerForPrincipal(clientId) : undefined;
}

/** `ownerFromAuthInfo`, with the anonymous owner for a request without a principal. */
export function requestOwner(authInfo: RequestAuthInfo | undefined): string {
  return ownerFromAuthInfo(authInfo) ?? ANONYMOUS_OWNER;
}
