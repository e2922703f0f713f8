/**
 * What the stores accept from core, checked once at the boundary so a bad call gets a typed
 * VALIDATION_ERROR and never reaches Redis.
 */
import * as z from "zod";
import { OwnerSchema, RefIdSchema, TaskStatusSchema, ValidationError } from "./contract.js";

const epochMs = z.number().finite().nonnegative();

export const StoreEntrySchema = z.object({
  data: z.string(),
  createdAt: epochMs,
  expiresAt: epochMs.optional(),
  owner: OwnerSchema.optional(),
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
  leaseExpiresAt: epochMs.optional(),
});

export const KeySchema = RefIdSchema;
export const LimitSchema = z.number().int().min(1).max(1000);
export const EpochSchema = epochMs;
export const VersionSchema = z.number().int().nonnegative();
/** Cursors are the creation sequence of the last task of the previous page. */
export const CursorSchema = z.string().regex(/^r1\.[1-9][0-9]{0,15}$/, "cursor is not one this store handed out");

export const TaskQuerySchema = z.object({
  status: z.array(TaskStatusSchema).readonly().optional(),
  owner: OwnerSchema.optional(),
  cursor: CursorSchema.optional(),
  limit: LimitSchema,
});

export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string, refId?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(what, result.error.issues, refId);
  return result.data;
}
