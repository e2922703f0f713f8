/**
 * Options of `refCacheRoutes` and `withTimeoutFallback`, validated with zod once when the routes or the
 * handler are built, and the one place that decides whose tasks a request may see.
 */
import { parseOrThrow, RefCache, TtlSchema, ValidationError } from "@mcp-refcache/core";
import type { Context } from "hono";
import * as z from "zod";

/**
 * Reads the caller's owner from the request (e.g. `ownerForPrincipal(jwt.sub)`); `undefined` means the
 * shared anonymous owner (core's `ANONYMOUS_OWNER`), never "unscoped".
 */
export type OwnerResolver = (c: Context) => string | undefined;

const ownerResolver = z.custom<OwnerResolver>((v) => typeof v === "function", "owner must be a function (c) => string");

const isRefCache = (v: unknown): v is RefCache =>
  v instanceof RefCache || (typeof v === "object" && v !== null && "getTask" in v && "queryTasks" in v);

/**
 * The cache, or a function that makes it on first use. Workers forbid random values and timers at module
 * scope, where a RefCache starts both, so there the cache must be created inside the first request.
 */
export type CacheSource = RefCache | (() => RefCache);

/** Caches made by factories, so that routes and handlers given the same factory share one cache. */
const madeByFactory = new WeakMap<() => RefCache, RefCache>();

/** A getter for the cache of `source`; a factory is called once, on first use. Checks what it gets. */
export function cacheGetter(source: unknown): () => RefCache {
  if (isRefCache(source)) return () => source;
  if (typeof source !== "function") {
    throw ValidationError.single("cache", "cache must be a RefCache or a function returning one", "invalid_type");
  }
  const factory = source as () => RefCache;
  return () => {
    const known = madeByFactory.get(factory);
    if (known !== undefined) return known;
    const cache: unknown = factory();
    if (!isRefCache(cache)) throw new TypeError("the cache factory must return a RefCache");
    madeByFactory.set(factory, cache);
    return cache;
  };
}

export const RefCacheRoutesOptionsSchema = z.strictObject({
  /**
   * The caller's owner; every route sees only that owner's tasks and values (others answer 404). Without
   * it, or when it returns `undefined`, the caller is the anonymous owner, which cannot list (`GET /tasks`
   * answers 403).
   */
  owner: ownerResolver.optional(),
  /**
   * How long the event stream waits for a change notification before it reads the task from the store
   * itself (ms). Covers changes made by other instances through a store without `subscribe`.
   */
  pollIntervalMs: z.number().int().positive().max(60_000).default(1000),
  /**
   * How long the event stream may stay silent before it sends a comment line (ms), so proxies and load
   * balancers that close idle connections keep a stream open while a task makes no progress.
   */
  keepAliveMs: z.number().int().positive().max(300_000).default(15_000),
  /** `Retry-After` sent while a task is active and on retryable errors (seconds). */
  retryAfterSeconds: z.number().int().positive().max(3600).default(1),
});
export type RefCacheRoutesOptions = z.input<typeof RefCacheRoutesOptionsSchema>;
export type ParsedRoutesOptions = z.output<typeof RefCacheRoutesOptionsSchema>;

export const TimeoutFallbackHandlerOptionsSchema = z.strictObject({
  /** How long the request waits for the work before it answers 202 (ms). */
  timeoutMs: z.number().int().nonnegative(),
  owner: ownerResolver.optional(),
  /** Where `refCacheRoutes` is mounted; `Location` points at `${basePath}/tasks/:refId`. */
  basePath: z
    .string()
    .regex(/^(\/[^/?#]+)*$/, 'basePath must be "" or start with "/" and not end with "/"')
    .default("/refcache"),
  /** Time to live of the result (ms); `null` keeps it. Defaults to the cache's `defaultTtlMs`. */
  ttlMs: TtlSchema.optional(),
  /** `Retry-After` sent with the 202 (seconds). */
  retryAfterSeconds: z.number().int().positive().max(3600).default(1),
  /**
   * How long `waitUntil` keeps waiting, after the work returned, for its result to be stored (ms).
   */
  settleMs: z.number().int().positive().default(10_000),
  /**
   * Reference arguments: the request's JSON body is parsed, and each member named here (with its own zod
   * schema) may hold `{ "refId": string, "path"?: JSON Pointer }` instead of its value; the handler gets
   * the body with those resolved (caller's owner scope, validated by the schema) as `work.input`. Only
   * these members are resolved, and never what a resolved value holds. An unusable reference is a 404
   * problem (`REFERENCE_UNAVAILABLE`, one wording for unknown and foreign), a bad path or value a 400.
   */
  refParams: z
    .record(
      z.string(),
      z.custom<z.ZodType>(
        (v) => typeof (v as { safeParse?: unknown } | null)?.safeParse === "function",
        "each refParams entry must be a zod schema",
      ),
    )
    .optional(),
  /**
   * Store the result execute-only: the response is then `{ refId, status: "completed", executeOnly: true }`
   * (never the value), and clients may pass it by reference but never read it.
   */
  executeOnly: z.boolean().optional(),
});
export type TimeoutFallbackHandlerOptions = z.input<typeof TimeoutFallbackHandlerOptionsSchema>;

export function parseRoutesOptions(options: unknown): ParsedRoutesOptions {
  return parseOrThrow(RefCacheRoutesOptionsSchema, options, "refCacheRoutes options");
}
