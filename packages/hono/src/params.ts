/**
 * Path and query parameters of the routes, checked with zod through Hono's validator. A bad parameter
 * throws core's ValidationError, which the problem table answers with 400 before anything is touched.
 */
import { RefIdSchema, TaskStatusSchema, ValidationError } from "@mcp-refcache/core";
import { validator } from "hono/validator";
import * as z from "zod";

export const CURSOR_MAX_LENGTH = 1024;
export const LIST_LIMIT_MAX = 1000;

export const RefIdParamsSchema = z.object({ refId: RefIdSchema });

/** `?status=pending,processing` or `?status=pending&status=processing`. */
const StatusListSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((raw) => [...new Set([raw].flat().flatMap((part) => part.split(",")))])
  .pipe(TaskStatusSchema.array().min(1));

export const TaskListQuerySchema = z.object({
  status: StatusListSchema.optional(),
  cursor: z
    .string()
    .min(1, "cursor must not be empty")
    .max(CURSOR_MAX_LENGTH, `cursor must be at most ${CURSOR_MAX_LENGTH} characters`)
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, "limit must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(LIST_LIMIT_MAX))
    .optional(),
});
export type TaskListQuery = z.output<typeof TaskListQuerySchema>;

export function parseParams<S extends z.ZodType>(schema: S, value: unknown, target: "param" | "query"): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ ...issue, path: [target, ...issue.path] }));
  throw new ValidationError(target === "param" ? "path parameters" : "query parameters", issues);
}

export const refIdParam = validator("param", (value) => parseParams(RefIdParamsSchema, value, "param"));

/** Repeated keys arrive as arrays, so `status` may be given several times. */
export const taskListQuery = validator("query", (value) => parseParams(TaskListQuerySchema, value, "query"));
