/**
 * The owner rule, in one place: who a task or value belongs to, the one owner string format every adapter
 * uses, and who may see, write and list what. Core applies `isVisibleTo` on every read and write path, so
 * a task and its result (stored with the task's owner) always share one visibility.
 *
 * - Server-side code passes no `owner` and sees everything; what it stores without an owner is server-only.
 * - A client call is never unscoped: an adapter always acts for an owner — `auth:<principal>` for an
 *   authenticated caller, `session:<id>` when a server scopes by session on purpose, else the shared
 *   `anonymous` owner, whose entries are protected only by their unguessable ids (the MCP spec's guidance
 *   for servers without authorization). An owner sees only its own entries, never server-only ones.
 * - Because ids are its only protection, the anonymous owner can never list (`queryTasks` refuses it).
 */
import { ForbiddenError } from "./errors.js";
import { OWNER_MAX_LENGTH, OwnerSchema } from "./models.js";
import { parseOrThrow } from "./parse.js";

/** The one owner of every caller an adapter cannot identify: it reads what it holds the id of, and never lists. */
export const ANONYMOUS_OWNER = "anonymous";

/** Prefix of an authenticated principal's owner string. */
export const PRINCIPAL_OWNER_PREFIX = "auth:";

/** Prefix of a session-scoped owner string (only when a server chooses session scope explicitly). */
export const SESSION_OWNER_PREFIX = "session:";

const owned = (prefix: string, id: string, what: string): string => {
  const schema = OwnerSchema.max(
    OWNER_MAX_LENGTH - prefix.length,
    `${what} must be at most ${OWNER_MAX_LENGTH - prefix.length} characters`,
  );
  return `${prefix}${parseOrThrow(schema, id, what)}`;
};

/**
 * `auth:<principal>`: the owner of an authenticated caller (an OAuth `clientId`, a token's subject, an
 * API key's name). Throws ValidationError for an empty principal or one longer than 507 characters.
 */
export function ownerForPrincipal(principal: string): string {
  return owned(PRINCIPAL_OWNER_PREFIX, principal, "principal");
}

/**
 * `session:<id>`: the owner of one transport session. Use it only to scope by session on purpose: a
 * reference then dies with its session (a client that reconnects cannot follow it).
 */
export function sessionOwner(sessionId: string): string {
  return owned(SESSION_OWNER_PREFIX, sessionId, "session id");
}

/**
 * The owner an adapter acts for, from what an owner resolver returned: `undefined` is the anonymous owner
 * (never "unscoped"); anything else must be a valid owner string (1–512 characters of well-formed Unicode,
 * `OwnerSchema`), else ValidationError.
 */
export function resolveOwner(resolved: string | undefined): string {
  if (resolved === undefined) return ANONYMOUS_OWNER;
  return parseOrThrow(OwnerSchema, resolved, "owner");
}

/** Whether `owner` is the shared anonymous owner. */
export function isAnonymousOwner(owner: string | undefined): boolean {
  return owner === ANONYMOUS_OWNER;
}

/**
 * The visibility rule: a caller without an owner (server-side code) sees everything; a caller with one
 * sees exactly the entries stored with that owner — never server-only ones, never another owner's.
 */
export function isVisibleTo(entry: { owner?: string | undefined }, owner: string | undefined): boolean {
  return owner === undefined || entry.owner === owner;
}

/**
 * Whether `owner` may pass `entry` by reference: what it may read (the owner rule), and also an execute-only
 * value the server stored without an owner (a server-provided secret any caller's tool may use).
 */
export function isUsableBy(
  entry: { owner?: string | undefined; executeOnly?: boolean | undefined },
  owner: string | undefined,
): boolean {
  return isVisibleTo(entry, owner) || (entry.owner === undefined && entry.executeOnly === true);
}

/** Throws ForbiddenError when `owner` may not list (the anonymous owner: its ids are its only protection). */
export function assertMayList(owner: string | undefined): void {
  if (isAnonymousOwner(owner)) {
    throw new ForbiddenError(
      "The anonymous owner cannot list tasks: its references are protected only by their unguessable ids",
    );
  }
}

/**
 * Throws ForbiddenError when `owner` may not write `refId` over `existing` (a stored task or value): an
 * owner may replace only what it holds itself. Server-side code (no owner) may write anything.
 */
export function assertMayWrite(
  existing: { owner?: string | undefined } | undefined,
  owner: string | undefined,
  refId: string,
): void {
  if (owner === undefined || existing === undefined || existing.owner === owner) return;
  throw new ForbiddenError(`"${refId}" is held by another owner and cannot be written by this one`, refId);
}
