import type { z } from "zod";
import type { TaskStatus } from "./models.js";

/** Machine-readable error codes. Adapters map them onto transport errors (HTTP status, MCP error results). */
export const ErrorCode = {
  /** Input failed validation; `issues` holds the zod issues. */
  Validation: "VALIDATION_ERROR",
  /** No task is registered under the ref id. */
  TaskNotFound: "TASK_NOT_FOUND",
  /** A task that has not finished is already registered under the ref id. */
  TaskAlreadyActive: "TASK_ALREADY_ACTIVE",
  /** The requested state change is not allowed from the task's current state. */
  IllegalTransition: "ILLEGAL_TRANSITION",
  /** A cache write targets a key that an unfinished task owns. */
  KeyOwnedByTask: "KEY_OWNED_BY_TASK",
  /** The storage backend failed or rejected the value. */
  Store: "STORE_ERROR",
  /** The cache was closed. */
  Closed: "CACHE_CLOSED",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A plain, JSON-safe view of a zod issue. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

/** Base class of every error the library throws on purpose. Check `code` rather than the class. */
export class RefCacheError extends Error {
  readonly code: ErrorCode;
  readonly refId: string | undefined;

  constructor(code: ErrorCode, message: string, options: { refId?: string | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.refId = options.refId;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.refId === undefined ? {} : { refId: this.refId }),
    };
  }
}

export class ValidationError extends RefCacheError {
  readonly issues: ValidationIssue[];

  constructor(what: string, issues: readonly z.core.$ZodIssue[] | ValidationIssue[], refId?: string) {
    const plain = issues.map((issue) => ({
      path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      message: issue.message,
      code: String(issue.code),
    }));
    const detail = plain.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
    super(ErrorCode.Validation, `Invalid ${what}: ${detail}`, { refId });
    this.issues = plain;
  }

  /** A ValidationError with one issue about the whole input (no path). */
  static single(what: string, message: string, code: string, refId?: string): ValidationError {
    return new ValidationError(what, [{ path: [], message, code }], refId);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** Parses `value` with `schema`, throwing a ValidationError that names `what` on failure. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  refId?: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(what, result.error.issues, refId);
  return result.data;
}

export class TaskNotFoundError extends RefCacheError {
  constructor(refId: string) {
    super(ErrorCode.TaskNotFound, `No task is registered under "${refId}"`, { refId });
  }
}

export class TaskAlreadyActiveError extends RefCacheError {
  readonly status: TaskStatus;

  constructor(refId: string, status: TaskStatus) {
    super(ErrorCode.TaskAlreadyActive, `A task is already ${status} under "${refId}"`, { refId });
    this.status = status;
  }
}

export class IllegalTransitionError extends RefCacheError {
  readonly from: TaskStatus;
  readonly to: TaskStatus;

  constructor(refId: string, from: TaskStatus, to: TaskStatus) {
    super(ErrorCode.IllegalTransition, `Task "${refId}" cannot go from ${from} to ${to}`, { refId });
    this.from = from;
    this.to = to;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), from: this.from, to: this.to };
  }
}

export class KeyOwnedByTaskError extends RefCacheError {
  constructor(refId: string) {
    super(ErrorCode.KeyOwnedByTask, `"${refId}" belongs to an unfinished task; complete, fail or cancel it first`, {
      refId,
    });
  }
}

export class StoreError extends RefCacheError {
  constructor(message: string, refId: string | undefined, cause: unknown) {
    super(ErrorCode.Store, message, { refId, cause });
  }
}

export class CacheClosedError extends RefCacheError {
  constructor(name: string) {
    super(ErrorCode.Closed, `RefCache "${name}" is closed`);
  }
}

/** Turns anything thrown or rejected into a human-readable message. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === "string") return error;
  try {
    const json = JSON.stringify(error);
    if (json !== undefined) return json;
  } catch {
    // fall through: circular or otherwise unserialisable
  }
  return String(error);
}
