/**
 * The options of the task methods, as schemas with fast paths for the common valid inputs, and the one
 * place a task call's ref id and options are parsed.
 */
import * as z from "zod";
import {
  isOwner,
  isRefId,
  isTtl,
  OwnerSchema,
  RefIdSchema,
  SetOptionsSchema,
  type TaskInfo,
  TaskStatusSchema,
  TtlSchema,
} from "./models.js";
import { optionalFields, parseOrThrow, withFastPath } from "./parse.js";

/** Options of `registerTask`: the result's time to live and the task's owner, as for a cache write. */
export const RegisterTaskOptionsSchema = SetOptionsSchema;
export type RegisterTaskOptions = z.input<typeof RegisterTaskOptionsSchema>;

const isRunId = (v: unknown): boolean => typeof v === "string" && v.length >= 1 && v.length <= 64;

export const RunOptionsSchema = withFastPath(
  z.strictObject({
    /** Refuse the call (StaleRunError) unless this is the task's current run. */
    runId: z.string().min(1).max(64).optional(),
  }),
  optionalFields({ runId: isRunId }),
);
export type RunOptions = z.input<typeof RunOptionsSchema>;

export const CompleteOptionsSchema = withFastPath(
  RunOptionsSchema.extend({ ttlMs: TtlSchema.optional() }),
  optionalFields({ runId: isRunId, ttlMs: isTtl }),
);
export type CompleteTaskOptions = z.input<typeof CompleteOptionsSchema>;

export const OwnerOptionsSchema = withFastPath(
  z.strictObject({ owner: OwnerSchema.optional() }),
  optionalFields({ owner: isOwner }),
);
export type OwnerOptions = z.input<typeof OwnerOptionsSchema>;

export const TaskQuerySchema = z.strictObject({
  status: z.union([TaskStatusSchema, TaskStatusSchema.array().max(5)]).optional(),
  owner: OwnerSchema.optional(),
  cursor: z.string().min(1).max(1024).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export type TaskQueryOptions = z.input<typeof TaskQuerySchema>;

export const ListFilterSchema = z.strictObject({ status: TaskQuerySchema.shape.status }, "filter must be an object");

export type TaskListener = (info: TaskInfo) => unknown;

export const asList = <T>(v: T | T[] | undefined): T[] | undefined =>
  v === undefined ? undefined : ([v].flat() as T[]);

/** What omitted options parse to (most calls pass none, and skip the parse). */
export const NO_OPTIONS: Readonly<Record<string, undefined>> = Object.freeze({});

/** A task call's ref id, checked: the id, or a ValidationError. */
export const parseRefId = (refId: unknown): string =>
  isRefId(refId) ? refId : parseOrThrow(RefIdSchema, refId, "ref id");

/** A task call's options, parsed with `schema` (none given: NO_OPTIONS, without a parse). */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, what: string, id: string): z.output<S> {
  return options === undefined ? (NO_OPTIONS as z.output<S>) : parseOrThrow(schema, options, what, id);
}
