/**
 * Options of `withRefCache` and of each tool, validated once with zod at the boundary, and the
 * owner scope: whose tasks a request may see.
 */
import { parseOrThrow, sessionOwner } from "@mcp-refcache/core";
import {
  DEFAULT_REF_RESOURCE_TEMPLATE,
  McpValueBudgetSchema,
  ownerFromAuthInfo,
  PollingToolNamesSchema,
  RefResourceTemplateSchema,
} from "@mcp-refcache/core/mcp";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import * as z from "zod";

/** What the owner resolver sees: the request's session id and the auth info the HTTP layer verified. */
export interface OwnerContext {
  sessionId?: string | undefined;
  authInfo?: AuthInfo | undefined;
}

/**
 * Maps a request onto the owner it acts for (core's owner rule); `undefined` means the shared anonymous
 * owner, never "unscoped".
 */
export type OwnerResolver = (context: OwnerContext) => string | undefined;

/**
 * The default: the authenticated principal (`auth:<clientId>`) when the request carries `authInfo`, else
 * the anonymous owner — so a reference outlives the session that made it (a client that reconnects
 * follows it).
 */
export const defaultOwner: OwnerResolver = (context) => ownerFromAuthInfo(context.authInfo);

/**
 * Session scope, as an explicit choice: `session:<id>`, so a reference dies with its session (a client
 * that reconnects cannot follow it); without a session (stdio, stateless HTTP), the anonymous owner.
 */
export const sessionScope: OwnerResolver = (context) =>
  context.sessionId === undefined ? undefined : sessionOwner(context.sessionId);

const milliseconds = z.number().int().positive();
const ttl = milliseconds.nullable();

export const RefCacheToolOptionsSchema = z.strictObject({
  /** How long a call waits for the value before it answers with a pending reference (ms). */
  timeoutMs: z.number().int().nonnegative().optional(),
  /** Time to live of the tool's results (ms); `null` keeps them until deleted. */
  ttlMs: ttl.optional(),
  /**
   * This tool's answer budget over the adapter's: `{ maxChars?, maxFullChars? }`, or `false` to answer its
   * values whole whatever their size (for callers that rely on whole inline answers).
   */
  valueBudget: McpValueBudgetSchema.optional(),
  /**
   * Parameters (of `inputSchema`) that also accept a reference `{ "refId", "path"? }` to a stored value,
   * resolved on the server for the caller before the handler runs (core's `resolveRefs`).
   */
  refParams: z.array(z.string().min(1)).optional(),
  /** Store this tool's results execute-only: answered as their reference alone, usable, never readable. */
  executeOnly: z.boolean().optional(),
});
export type RefCacheToolOptions = z.input<typeof RefCacheToolOptionsSchema>;

export const WithRefCacheOptionsSchema = z.strictObject({
  /** Default for every tool: how long a call waits before it answers with a pending reference (ms). */
  timeoutMs: z.number().int().nonnegative().default(2000),
  /** Suggested time between polls, told to the model and to task-aware clients (ms). */
  pollIntervalMs: milliseconds.default(1000),
  /** Default time to live of results (ms); defaults to the cache's `defaultTtlMs`. */
  ttlMs: ttl.optional(),
  /** Names of the polling tools. */
  names: z.strictObject({ status: z.string(), result: z.string(), cancel: z.string() }).partial().optional(),
  /**
   * Answer budget over the cache's `valueBudget`, for every tool, the polling tools and `tasks/result`:
   * `{ maxChars?, maxFullChars? }`, or `false` to answer values whole whatever their size.
   */
  valueBudget: McpValueBudgetSchema.optional(),
  /**
   * Serve references as resources: `true` for the template `refcache://refs/{refId}`, or `{ uriTemplate }`
   * (one `{refId}`, which is percent-encoded; no query — `?cursor=` and `?path=` page the value).
   */
  resources: z.union([z.boolean(), z.strictObject({ uriTemplate: RefResourceTemplateSchema.optional() })]).optional(),
  /** The owner a request acts for; defaults to the authenticated principal, else the anonymous owner. */
  owner: z
    .custom<OwnerResolver>((v) => typeof v === "function", "owner must be a function")
    .default(() => defaultOwner),
});
export type WithRefCacheOptions = z.input<typeof WithRefCacheOptionsSchema>;

/** Parsed options, with the polling tool names checked (valid, distinct). */
export function parseWithRefCacheOptions(options: WithRefCacheOptions) {
  const parsed = parseOrThrow(WithRefCacheOptionsSchema, options, "withRefCache options");
  return { ...parsed, names: parseOrThrow(PollingToolNamesSchema, parsed.names, "withRefCache options: names") };
}
export type ParsedWithRefCacheOptions = ReturnType<typeof parseWithRefCacheOptions>;

/** The reference resource template when references are served as resources, else `undefined`. */
export function resourceTemplateOf(parsed: { resources?: boolean | { uriTemplate?: string | undefined } | undefined }) {
  if (parsed.resources === undefined || parsed.resources === false) return undefined;
  return (parsed.resources === true ? undefined : parsed.resources.uriTemplate) ?? DEFAULT_REF_RESOURCE_TEMPLATE;
}
