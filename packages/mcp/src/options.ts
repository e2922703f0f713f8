/**
 * Options of `withRefCache` and of each tool, validated once with zod at the boundary, and the
 * owner scope: whose tasks a request may see.
 */
import { ValidationError } from "@mcp-refcache/core";
import { McpValueBudgetSchema, PollingToolNamesSchema } from "@mcp-refcache/core/mcp";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import * as z from "zod";

/** What the owner resolver sees. On `tasks/*` requests the SDK hands the store only the session id. */
export interface OwnerContext {
  sessionId?: string | undefined;
  authInfo?: AuthInfo | undefined;
}

/** Maps a request onto its owner scope; `undefined` means unscoped (stdio, stateless HTTP). */
export type OwnerResolver = (context: OwnerContext) => string | undefined;

/** The default scope: the MCP session. */
export const sessionOwner: OwnerResolver = (context) => context.sessionId;

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
  /** Owner scope of a request; defaults to the MCP session id. */
  owner: z
    .custom<OwnerResolver>((v) => typeof v === "function", "owner must be a function")
    .default(() => sessionOwner),
});
export type WithRefCacheOptions = z.input<typeof WithRefCacheOptionsSchema>;

/** Parses `value` with `schema`, or throws core's ValidationError naming `what` and each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(what, result.error.issues);
  return result.data;
}

/** Parsed options, with the polling tool names checked (valid, distinct). */
export function parseWithRefCacheOptions(options: WithRefCacheOptions) {
  const parsed = parseOrThrow(WithRefCacheOptionsSchema, options, "withRefCache options");
  return { ...parsed, names: parseOrThrow(PollingToolNamesSchema, parsed.names, "withRefCache options: names") };
}
export type ParsedWithRefCacheOptions = ReturnType<typeof parseWithRefCacheOptions>;
