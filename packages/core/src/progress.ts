/** Merging a progress update into a task's progress, with the fast path checked by hand. */

import {
  buildProgress,
  PROGRESS_MESSAGE_MAX_LENGTH,
  type TaskProgress,
  TaskProgressSchema,
  TaskProgressUpdateSchema,
} from "./models.js";
import { parseOrThrow } from "./parse.js";

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** The fields of a progress update; absent ones undefined. */
export interface ProgressFields {
  current?: number | undefined;
  total?: number | undefined;
  message?: string | undefined;
}

/**
 * A copy of the update's fields when it plainly is a valid update (with `percentage`, which is ignored,
 * where `withPercentage`); else `undefined`, and the schema decides.
 */
function plainUpdate(value: unknown, withPercentage: boolean): ProgressFields | undefined {
  try {
    return plainFields(value, withPercentage);
  } catch {
    return undefined; // a value that throws when read (a getter, a Proxy): the schema words the refusal
  }
}

function plainFields(value: unknown, withPercentage: boolean): ProgressFields | undefined {
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype)
    return undefined;
  const v = value as Record<string, unknown>;
  for (const key in v) {
    if (key !== "current" && key !== "total" && key !== "message" && !(withPercentage && key === "percentage")) {
      return undefined;
    }
  }
  const { current, total, message } = v;
  if (current !== undefined && !isCount(current)) return undefined;
  if (total !== undefined && !isCount(total)) return undefined;
  if (message !== undefined && (typeof message !== "string" || message.length > PROGRESS_MESSAGE_MAX_LENGTH)) {
    return undefined;
  }
  return { current, total, message } as ProgressFields;
}

/** A progress update as a caller sends it, checked: its fields, or a ValidationError. */
export function parseProgressUpdate(update: unknown, refId: string): ProgressFields {
  return plainUpdate(update, false) ?? parseOrThrow(TaskProgressUpdateSchema, update, "progress", refId);
}

/**
 * `previous` with the given fields of `update` replacing its own (an updater may hand back the progress
 * it was given, derived `percentage` included: that field is ignored and recomputed). Throws a
 * ValidationError for a bad update or when `current` would exceed `total`.
 */
export function mergeProgress(previous: TaskProgress | undefined, update: unknown, refId: string): TaskProgress {
  let fields = plainUpdate(update, true);
  if (fields === undefined) {
    // The slow path, for its precise error messages.
    let withoutDerived: unknown = update;
    try {
      if (typeof update === "object" && update !== null && "percentage" in update) {
        withoutDerived = (({ percentage: _p, ...rest }) => rest)(update as Record<string, unknown>);
      }
    } catch {
      // Unreadable: the schema refuses it below.
    }
    fields = parseOrThrow(TaskProgressUpdateSchema, withoutDerived, "progress", refId);
  }
  return mergeFields(previous, fields, refId);
}

/** `previous` with `fields` (a progress update already validated) laid over it; checks `current ≤ total`. */
export function mergeFields(previous: TaskProgress | undefined, fields: ProgressFields, refId: string): TaskProgress {
  const current = fields.current ?? previous?.current;
  const total = fields.total ?? previous?.total;
  const message = fields.message ?? previous?.message;
  if (current !== undefined && total !== undefined && current > total) {
    // Let the schema word the error.
    parseOrThrow(TaskProgressSchema, { current, total }, "progress", refId);
  }
  return buildProgress(current, total, message);
}
