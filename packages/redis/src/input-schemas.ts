/**
 * What the stores accept from core, checked once at the boundary so a bad call gets a typed
 * VALIDATION_ERROR and never reaches Redis.
 */
import * as z from "zod";
import {
  isOwner,
  isRefId,
  OwnerSchema,
  REF_ID_MAX_LENGTH,
  RefIdSchema,
  TaskStatusSchema,
  ValidationError,
} from "./contract.js";

const epochMs = z.number().finite().nonnegative();
/** A lease's length (ms): the scripts start it on the server's clock. */
const leaseMs = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1);

export const StoreEntrySchema = z.object({
  data: z.string(),
  createdAt: epochMs,
  expiresAt: epochMs.optional(),
  owner: OwnerSchema.optional(),
  version: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  executeOnly: z.literal(true).optional(),
});

/** The fields of a stored task the scripts index on; everything else is kept as the caller's JSON. */
export const StoredTaskSchema = z.looseObject({
  refId: RefIdSchema,
  status: TaskStatusSchema,
  version: z.number().int().nonnegative(),
  runId: z.string(),
  owner: OwnerSchema.optional(),
  updatedAt: epochMs,
  completedAt: epochMs.optional(),
  leaseMs: leaseMs.optional(),
});

export const KeySchema = RefIdSchema;
export const LimitSchema = z.number().int().min(1).max(1000);
/** How long ago a task finished, at least (ms). */
export const AgeSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const VersionSchema = z.number().int().nonnegative();
/** Cursors name the last task of the previous page (its ref id, after "r2."). */
export const CursorSchema = z
  .string()
  .max(3 + REF_ID_MAX_LENGTH)
  .refine(
    (v) => v.startsWith("r2.") && RefIdSchema.safeParse(v.slice(3)).success,
    "cursor is not one this store handed out",
  );

export const TaskQuerySchema = z.object({
  status: z.array(TaskStatusSchema).readonly().optional(),
  owner: OwnerSchema.optional(),
  cursor: CursorSchema.optional(),
  limit: LimitSchema,
});

export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string, refId?: string): z.output<S> {
  let refusal: ValidationError;
  try {
    const result = schema.safeParse(value);
    if (result.success) return result.data as z.output<S>;
    refusal = new ValidationError(what, result.error.issues, refId);
  } catch (error) {
    // An input that throws when read (a getter, a Proxy's trap) is bad input like any other.
    const why = error instanceof Error ? error.message : String(error);
    refusal = ValidationError.single(what, `${what} could not be read: ${why}`, "custom", refId);
  }
  throw refusal;
}

/*
 * Hot-path checks, each at least as strict as its schema: what they pass the schema accepts, so zod runs
 * only to explain (or, rarely, accept) what they refuse. Every task transition passes through them.
 */
const STATUSES = new Set<unknown>(TaskStatusSchema.options);
const isEpoch = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;
const isOptionalEpoch = (v: unknown) => v === undefined || isEpoch(v);
const isOptionalLease = (v: unknown) =>
  v === undefined || (Number.isSafeInteger(v) && (v as number) > 0 && (v as number) <= 2 ** 31 - 1);
/** What `OwnerSchema.optional()` accepts: core's own owner check. */
const isOptionalOwner = (v: unknown) => v === undefined || isOwner(v);

/** What `KeySchema` accepts: core's own ref id check (held to `RefIdSchema` by core's fast-path tests). */
export const isKey: (v: unknown) => boolean = isRefId;

export const isVersion = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

export function isTask(v: unknown): boolean {
  try {
    return isPlainTask(v);
  } catch {
    return false; // unreadable: the schema refuses it, in words
  }
}

function isPlainTask(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const t = v as Record<string, unknown>;
  return (
    isKey(t.refId) &&
    STATUSES.has(t.status) &&
    isVersion(t.version) &&
    typeof t.runId === "string" &&
    isOptionalOwner(t.owner) &&
    isEpoch(t.updatedAt) &&
    isOptionalEpoch(t.completedAt) &&
    isOptionalLease(t.leaseMs)
  );
}

export function isEntry(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  try {
    const e = v as Record<string, unknown>;
    return (
      typeof e.data === "string" &&
      isEpoch(e.createdAt) &&
      isOptionalEpoch(e.expiresAt) &&
      isOptionalOwner(e.owner) &&
      (e.version === undefined || isVersion(e.version)) &&
      (e.executeOnly === undefined || e.executeOnly === true)
    );
  } catch {
    return false; // unreadable: the schema refuses it, in words
  }
}

/** Lets `value` through when the fast check passed; otherwise the schema decides (and explains a refusal). */
export function check(passed: boolean, schema: z.ZodType, value: unknown, what: string, refId?: string): void {
  if (!passed) parse(schema, value, what, refId);
}
