/**
 * The shapes users see (ref ids, progress, task info, read/set options, owners, TTLs) as zod schemas,
 * with fast paths for the ones every task parses several times.
 */
import * as z from "zod";
import { optionalFields, SLOW, withFastPath } from "./parse.js";
import { TaskStatusSchema } from "./task-status.js";

export { isTerminalStatus, type TaskStatus, TaskStatusSchema, TERMINAL_STATUSES } from "./task-status.js";

/** Characters allowed in a ref id or cache key: safe in URLs, MCP arguments and store keys. */
const REF_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/**
 * The same pattern for callers, in another object: what a caller does to it (`compile`, say) never changes
 * which ids core accepts. Not frozen: zod and fast-check set `lastIndex` on the patterns they are given.
 */
export const REF_ID_PATTERN: RegExp = new RegExp(REF_ID_RE);
export const REF_ID_MAX_LENGTH = 256;

/**
 * The last ids known to be valid: those just checked and those `newRefId` made. Most ids are used several
 * times in a row (register, progress, complete, read), and comparing with a few strings costs a fraction
 * of the pattern test.
 */
const RECENT_REF_IDS = 8;
const recentRefIds: (string | undefined)[] = new Array<string | undefined>(RECENT_REF_IDS).fill(undefined);
let recentRefIdAt = 0;

/** Remembers `id` as valid (only ever called with ids that are). */
export function rememberRefId(id: string): void {
  recentRefIds[recentRefIdAt] = id;
  recentRefIdAt = (recentRefIdAt + 1) % RECENT_REF_IDS;
}

/** Whether `v` is a valid ref id (what RefIdSchema accepts; its fast path, held to it by the fast-path tests). */
export function isRefId(v: unknown): v is string {
  if (typeof v !== "string") return false;
  // Newest first: the id of the call before is the likeliest, and a match costs one pointer comparison.
  for (let back = 1; back <= RECENT_REF_IDS; back++) {
    if (recentRefIds[(recentRefIdAt - back + RECENT_REF_IDS) % RECENT_REF_IDS] === v) return true;
  }
  if (v.length > REF_ID_MAX_LENGTH || !REF_ID_RE.test(v)) return false;
  rememberRefId(v);
  return true;
}

/** A reference id (also used as a plain cache key). */
export const RefIdSchema = withFastPath(
  z
    .string()
    .min(1, "ref id must not be empty")
    .max(REF_ID_MAX_LENGTH, `ref id must be at most ${REF_ID_MAX_LENGTH} characters`)
    .regex(REF_ID_RE, "ref id may only hold letters, digits and . _ : - and must start with a letter or digit"),
  (v) => (isRefId(v) ? v : SLOW),
);
export type RefId = z.infer<typeof RefIdSchema>;

const count = z.number().finite("must be a finite number").nonnegative("must not be negative");

/** Messages longer than this are rejected: progress is polled often and must stay small. */
export const PROGRESS_MESSAGE_MAX_LENGTH = 1000;

const isCount = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0;
const isMessage = (v: unknown): boolean => typeof v === "string" && v.length <= PROGRESS_MESSAGE_MAX_LENGTH;

/** What a caller may send as a progress update. Every field is optional; given fields replace the stored ones. */
export const TaskProgressUpdateSchema = withFastPath(
  z.strictObject({
    current: count.optional(),
    total: count.optional(),
    message: z.string().max(PROGRESS_MESSAGE_MAX_LENGTH).optional(),
  }),
  optionalFields({ current: isCount, total: isCount, message: isMessage }),
);
export type TaskProgressUpdate = z.input<typeof TaskProgressUpdateSchema>;

/** Progress with the fields that are known, and the percentage derived from them. */
export function buildProgress(
  current: number | undefined,
  total: number | undefined,
  message: string | undefined,
): { current?: number; total?: number; message?: string; percentage?: number } {
  const progress: { current?: number; total?: number; message?: string; percentage?: number } = {};
  if (current !== undefined) progress.current = current;
  if (total !== undefined) progress.total = total;
  if (message !== undefined) progress.message = message;
  const percentage = percentageOf(current, total);
  if (percentage !== undefined) progress.percentage = percentage;
  return progress;
}

/** `current / total` as a percentage (0–100, two decimals), when both are known and `total > 0`. */
export function percentageOf(current: number | undefined, total: number | undefined): number | undefined {
  if (current === undefined || total === undefined || total <= 0) return undefined;
  return Math.min(100, Math.round((current / total) * 10_000) / 100);
}

/**
 * Progress of a task. `percentage` (0–100, two decimals) is derived, present only when both
 * `current` and `total` are known and `total > 0`. Any incoming `percentage` is ignored and recomputed.
 */
export const TaskProgressSchema = z
  .object({
    current: count.optional(),
    total: count.optional(),
    message: z.string().max(PROGRESS_MESSAGE_MAX_LENGTH).optional(),
    percentage: z.number().min(0).max(100).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.current !== undefined && p.total !== undefined && p.current > p.total) {
      ctx.addIssue({
        code: "custom",
        path: ["current"],
        message: `current (${p.current}) must not exceed total (${p.total})`,
      });
    }
  })
  .transform(({ current, total, message }) => buildProgress(current, total, message));
export type TaskProgress = z.output<typeof TaskProgressSchema>;

/** Milliseconds since the Unix epoch. */
const timestamp = z.number().int().nonnegative();

/** A snapshot of a task, as returned by `getTaskStatus` and sent to clients. */
export const TaskInfoSchema = z.object({
  refId: RefIdSchema,
  status: TaskStatusSchema,
  progress: TaskProgressSchema.optional(),
  /** When the task was registered (epoch ms). */
  startedAt: timestamp,
  /** When anything about the task last changed (epoch ms). */
  updatedAt: timestamp,
  /** When the task reached complete, failed or cancelled (epoch ms). */
  completedAt: timestamp.optional(),
  /** Why the task failed (or was cancelled, when a reason was given). */
  error: z.string().optional(),
  /** How many times this ref id was registered again after an earlier run finished. */
  retryCount: z.number().int().nonnegative(),
  /** Fencing token of this run: pass it to `completeTask`/`failTask`/… so a call meant for an old run is refused. */
  runId: z.string().min(1).max(64),
  /** Who the task belongs to (an MCP session, an HTTP principal); other owners cannot see it. */
  owner: z.string().optional(),
  /** When the result of a complete task expires (epoch ms); absent when it never does. */
  resultExpiresAt: timestamp.optional(),
  /** Set on a complete task whose result has expired: the status outlives the value. */
  resultExpired: z.literal(true).optional(),
  /**
   * Set when the result is stored execute-only (`RegisterTaskOptions.executeOnly`): clients get its
   * reference, never its value, and may pass it to tools that accept a reference.
   */
  resultExecuteOnly: z.literal(true).optional(),
});
export type TaskInfo = z.output<typeof TaskInfoSchema>;

/** Longest delay a timer can take in every runtime (2³¹−1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

/** A time to live in ms; `null` means no expiry. */
export const TtlSchema = z.number().int().positive().nullable();
/** What TtlSchema surely accepts (for fast paths). */
export const isTtl = (v: unknown): boolean => v === null || (typeof v === "number" && Number.isSafeInteger(v) && v > 0);

/** Longest owner string: room for a session id or a principal's subject. */
export const OWNER_MAX_LENGTH = 512;

/**
 * A string of well-formed UTF-16: every surrogate in a pair (`String.prototype.isWellFormed`, ES2024). Only
 * such a string survives UTF-8 unchanged: a store keeps its keys and fields as UTF-8 (Redis, SQLite), where
 * every lone surrogate becomes U+FFFD, so two different ill-formed strings would come back as one.
 */
const WELL_FORMED_RE = /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;

/**
 * Whether `text` is well-formed UTF-16 (no lone surrogate), so that it survives a store's UTF-8 unchanged:
 * what may be used as an owner, or in a store's key (a Redis prefix, say).
 */
export function isWellFormedText(text: string): boolean {
  return WELL_FORMED_RE.test(text);
}

/**
 * Who a task or value belongs to. Reads given another owner behave as if it did not exist. Well-formed
 * Unicode only (`isWellFormedText`): an owner is kept as UTF-8, where two owners that differ only in a lone
 * surrogate would be one, each reading the other's entries.
 */
export const OwnerSchema = z
  .string()
  .min(1, "owner must not be empty")
  .max(OWNER_MAX_LENGTH, `owner must be at most ${OWNER_MAX_LENGTH} characters`)
  .regex(WELL_FORMED_RE, "owner must be well-formed Unicode (no lone surrogate): stores keep it as UTF-8");
/** What OwnerSchema accepts (for fast paths). */
export const isOwner = (v: unknown): boolean =>
  typeof v === "string" && v.length >= 1 && v.length <= OWNER_MAX_LENGTH && WELL_FORMED_RE.test(v);

/** Options of a cache read or delete. */
export const ReadOptionsSchema = withFastPath(
  z.strictObject({
    /** Only a value stored with this owner (or with none) is visible. */
    owner: OwnerSchema.optional(),
  }),
  optionalFields({ owner: isOwner }),
);
export type ReadOptions = z.input<typeof ReadOptionsSchema>;

/** Options of a cache write. */
export const SetOptionsSchema = withFastPath(
  z.strictObject({
    /** Time to live in ms; `null` keeps the value until it is deleted. Defaults to the cache's `defaultTtlMs`. */
    ttlMs: TtlSchema.optional(),
    /** Who the value belongs to. */
    owner: OwnerSchema.optional(),
    /**
     * Execute-only (the Python original's EXECUTE without READ): clients may pass the value by reference to
     * a tool but never read it (`get_cached_result`, previews, pages, `GET /refs/:refId`, `resources/read`
     * refuse it); server-side `get` still reads it. Stored without an owner, any client may use it.
     */
    executeOnly: z.boolean().optional(),
  }),
  optionalFields({ ttlMs: isTtl, owner: isOwner, executeOnly: (v) => typeof v === "boolean" }),
);
export type SetOptions = z.input<typeof SetOptionsSchema>;

/** Metadata about a stored value. */
export interface CacheEntryInfo {
  key: string;
  createdAt: number;
  expiresAt?: number;
  owner?: string;
  /** Names this write of the value; changes on every write (use it as an HTTP `ETag`). */
  version: string;
  /** Present when clients may use the value by reference but never read it (`SetOptions.executeOnly`). */
  executeOnly?: true;
}

/**
 * An entry as a client may see it (`RefCache.getEntryForClient`): its metadata and its value, or, for an
 * execute-only value, its metadata alone (`executeOnly: true`, no `value`).
 */
export type ClientEntry<T = unknown> =
  | (CacheEntryInfo & { executeOnly?: undefined; value: T })
  | (CacheEntryInfo & { executeOnly: true; value?: undefined });

/** The public metadata of an entry stored under `key`. */
export function cacheEntryInfo(
  key: string,
  entry: { createdAt: number; expiresAt?: number; owner?: string; version?: number; executeOnly?: true },
): CacheEntryInfo {
  const info: CacheEntryInfo = { key, createdAt: entry.createdAt, version: versionOf(entry) };
  if (entry.expiresAt !== undefined) info.expiresAt = entry.expiresAt;
  if (entry.owner !== undefined) info.owner = entry.owner;
  if (entry.executeOnly === true) info.executeOnly = true;
  return info;
}

/**
 * The version of a stored entry, as text: its write time and the random number it was written with, in
 * base 36 (`<createdAt>-<version>`); for an entry written without a version (by a release before versions
 * existed, or by another writer), `t<createdAt>`, which no written version can equal. Two writes share a
 * version only if they share the millisecond and the random number (one chance in 2³⁰); two entries
 * without a version, only if they share the millisecond. A write time that is not a whole number (another
 * writer's `time.time() * 1000`) is written `F` + its decimal text, `.`, `+` and `-` as `_`, `P` and `M`,
 * so a version is always at most 64 characters of `[0-9A-Za-z_-]`, as a page cursor carries it.
 */
export function versionOf(entry: { createdAt: number; version?: number }): string {
  const { createdAt } = entry;
  const time = Number.isSafeInteger(createdAt)
    ? createdAt.toString(36)
    : `F${String(createdAt).replace(/[.+-]/g, (c) => (c === "." ? "_" : c === "+" ? "P" : "M"))}`;
  return entry.version === undefined ? `t${time}` : `${time}-${entry.version.toString(36)}`;
}
