/**
 * Typed errors: the `ErrorCode`s, `RefCacheError` and its subclasses, and `errorMessage`. Imports no
 * value from the rest of core, so any file may import it.
 */
import type * as z from "zod";
import type { TaskStatus } from "./task-status.js";

/** Machine-readable error codes. Adapters map them onto transport errors (HTTP status, MCP error results). */
export const ErrorCode = Object.freeze({
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
  /** The call names a run of the task that is no longer the current one (fencing). */
  StaleRun: "STALE_RUN",
  /** `maxActiveTasks` tasks are already running. */
  CapacityExceeded: "CAPACITY_EXCEEDED",
  /** The task failed or was cancelled instead of completing. */
  TaskNotCompleted: "TASK_NOT_COMPLETED",
  /** The storage backend failed. */
  Store: "STORE_ERROR",
  /** The cache was closed. */
  Closed: "CACHE_CLOSED",
  /**
   * The caller's owner may not do this: list as the anonymous owner, or write over (re-run, overwrite)
   * what another owner or the server holds. See owner.ts.
   */
  Forbidden: "FORBIDDEN",
  /**
   * A reference argument (`{ refId, path? }`) names nothing the caller may use: unknown, expired, another
   * owner's, or a task without a result yet — one code and one message for all, so ids cannot be probed.
   */
  ReferenceUnavailable: "REFERENCE_UNAVAILABLE",
  /** The value is execute-only: a client may pass it by reference to a tool but never read it. */
  ExecuteOnly: "EXECUTE_ONLY",
} as const);
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A plain, JSON-safe view of a zod issue. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

/** Marks errors of any copy of this library, so `isInstance` works when two copies are installed. */
const BRAND = Symbol.for("mcp-refcache.error");
const CODES = new Set<string>(Object.values(ErrorCode));

/** Base class of every error the library throws on purpose. Check `code` rather than the class. */
export class RefCacheError extends Error {
  readonly code: ErrorCode;
  readonly refId: string | undefined;

  constructor(code: ErrorCode, message: string, options: { refId?: string | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.refId = options.refId;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * Whether `value` is a RefCacheError, from this copy of the library or another one (`instanceof` fails
   * across duplicate installs). With `code`, also whether it has that code.
   */
  static isInstance(value: unknown, code?: ErrorCode): value is RefCacheError {
    if (typeof value !== "object" || value === null) return false;
    try {
      const error = value as { [BRAND]?: unknown; code?: unknown };
      if (error[BRAND] !== true || typeof error.code !== "string" || !CODES.has(error.code)) return false;
      return code === undefined || error.code === code;
    } catch {
      return false;
    }
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

/** Longest path a ValidationError's message spells out; `issues` keep every path whole. */
const PATH_TEXT_MAX = 120;

/** `a.b.0.c`, or for a path deeper than fits, its start and its end around "…". */
function pathText(path: readonly (string | number)[]): string {
  const text = path.join(".");
  if (text.length <= PATH_TEXT_MAX) return text;
  // Cut between characters, never inside a surrogate pair.
  let head = PATH_TEXT_MAX / 2;
  let tail = text.length - PATH_TEXT_MAX / 2;
  if (isLowSurrogate(text.charCodeAt(head))) head--;
  if (isLowSurrogate(text.charCodeAt(tail))) tail++;
  return `${text.slice(0, head)}…${text.slice(tail)}`;
}

const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

export class ValidationError extends RefCacheError {
  readonly issues: ValidationIssue[];

  constructor(what: string, issues: readonly z.core.$ZodIssue[] | ValidationIssue[], refId?: string) {
    const plain = issues.map((issue) => ({
      path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      message: issue.message,
      code: String(issue.code),
    }));
    const detail = plain.map((i) => (i.path.length > 0 ? `${pathText(i.path)}: ${i.message}` : i.message)).join("; ");
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

export class StaleRunError extends RefCacheError {
  readonly runId: string;

  constructor(refId: string, runId: string) {
    super(ErrorCode.StaleRun, `Run "${runId}" is no longer the current run of task "${refId}"`, { refId });
    this.runId = runId;
  }
}

export class TooManyTasksError extends RefCacheError {
  readonly maxActiveTasks: number;

  constructor(refId: string, maxActiveTasks: number) {
    super(ErrorCode.CapacityExceeded, `Cannot start "${refId}": ${maxActiveTasks} tasks are already active`, {
      refId,
    });
    this.maxActiveTasks = maxActiveTasks;
  }
}

export class TaskNotCompletedError extends RefCacheError {
  readonly status: TaskStatus;
  /** The task's own error text (why it failed, or the cancel reason), without the wrapping. */
  readonly reason: string | undefined;

  constructor(refId: string, status: TaskStatus, reason: string | undefined) {
    super(ErrorCode.TaskNotCompleted, `Task "${refId}" ${status}${reason === undefined ? "" : `: ${reason}`}`, {
      refId,
    });
    this.status = status;
    this.reason = reason;
  }
}

/** An owner tried what the owner rule refuses it (see owner.ts); reads never throw it, they see nothing. */
export class ForbiddenError extends RefCacheError {
  constructor(message: string, refId?: string) {
    super(ErrorCode.Forbidden, message, { refId });
  }
}

/**
 * A reference argument names nothing its caller may use (unknown, expired, another owner's, a task that
 * has not completed): the same words for each, so a caller learns nothing about ids that are not its own.
 */
export class ReferenceUnavailableError extends RefCacheError {
  /** The tool parameter that held the reference. */
  readonly parameter: string;
  constructor(parameter: string, refId: string) {
    super(
      ErrorCode.ReferenceUnavailable,
      `The reference in "${parameter}" cannot be used: refId "${refId}" is unknown, expired, not yet ` +
        "completed, or belongs to another client. Pass a refId an earlier tool call of yours returned.",
      { refId },
    );
    this.name = "ReferenceUnavailableError";
    this.parameter = parameter;
  }
}

/** A client tried to read an execute-only value (it may only pass it by reference to a tool). */
export class ExecuteOnlyError extends RefCacheError {
  constructor(refId: string) {
    super(
      ErrorCode.ExecuteOnly,
      `The value under refId "${refId}" is execute-only: it cannot be read, only passed to a tool as ` +
        `{ "refId": "${refId}" } where that tool accepts a reference.`,
      { refId },
    );
    this.name = "ExecuteOnlyError";
  }
}

export class StoreError extends RefCacheError {
  constructor(message: string, refId: string | undefined, cause: unknown) {
    super(ErrorCode.Store, message, { refId, cause });
  }
}

/**
 * `error`'s message as a client may read it (an HTTP problem's `detail`, an MCP tool error's text): a store's
 * own failure (a StoreError with a `cause`, the driver's or runtime's text, which may name hosts, limits or
 * internals) is told as "The store failed" alone; every other message is core's own wording, safe to show.
 * The whole error stays the server's (`onError`, its logs).
 */
export function clientMessage(error: RefCacheError): string {
  if (error.code !== ErrorCode.Store || error.cause === undefined) return error.message;
  const where = error.refId === undefined ? "" : ` for "${error.refId}"`;
  return `The store failed${where}`;
}

/**
 * The reason a failed task records for `error`, which clients read: its message, or for a store's own
 * failure only that the store failed (`clientMessage`).
 */
export function failureReason(error: unknown): string {
  return RefCacheError.isInstance(error) ? clientMessage(error) : errorMessage(error);
}

export class CacheClosedError extends RefCacheError {
  constructor(name: string) {
    super(ErrorCode.Closed, `RefCache "${name}" is closed`);
  }
}

/** Longest error message kept on a failed task; longer ones are cut. */
export const TASK_ERROR_MAX_LENGTH = 4000;

/** Cuts `text` to at most `max` UTF-16 units, ending with "…", never splitting a surrogate pair. */
export function truncate(text: string, max = TASK_ERROR_MAX_LENGTH): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * Turns anything thrown or rejected into a human-readable message. Never throws, and never quotes code:
 * a function becomes "a function", not its source (which may hold secrets).
 */
export function errorMessage(error: unknown): string {
  try {
    if (typeof error === "string") return error;
    if (typeof error === "function") return "a function was thrown";
    if (error instanceof Error) {
      const message = error.message;
      if (typeof message === "string" && message !== "") return message;
      const name = error.name;
      return typeof name === "string" && name !== "" ? name : "Error";
    }
    if (typeof error === "object" && error !== null) {
      const json = JSON.stringify(error, (_key, value: unknown) =>
        typeof value === "function" ? "[function]" : typeof value === "bigint" ? String(value) : value,
      );
      if (json !== undefined) return json;
    }
    if (typeof error === "symbol") return error.description ?? "a symbol";
    return String(error);
  } catch {
    return "an error that cannot be printed";
  }
}
