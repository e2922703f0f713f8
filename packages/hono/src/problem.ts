/**
 * Errors as RFC 9457 problem details (`application/problem+json`). ONE table maps core's error codes to
 * HTTP statuses; every route and `withTimeoutFallback` answer errors through `problemResponse`.
 */
import { clientMessage, type ErrorCode, failureReason, RefCacheError } from "@mcp-refcache/core";
import { HTTPException } from "hono/http-exception";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

interface ProblemKind {
  status: number;
  title: string;
  /** Errors a client can retry later get a `Retry-After` header. */
  retryable?: boolean;
}

/** Core's error codes → HTTP status and title: every code, so a new one fails to compile until it is here. */
const CORE_PROBLEMS = {
  VALIDATION_ERROR: { status: 400, title: "Invalid request" },
  TASK_NOT_FOUND: { status: 404, title: "Task not found" },
  TASK_ALREADY_ACTIVE: { status: 409, title: "Task already active" },
  ILLEGAL_TRANSITION: { status: 409, title: "Task already finished" },
  KEY_OWNED_BY_TASK: { status: 409, title: "Key belongs to an unfinished task" },
  STALE_RUN: { status: 409, title: "Task was restarted" },
  TASK_NOT_COMPLETED: { status: 409, title: "Task did not complete" },
  CAPACITY_EXCEEDED: { status: 429, title: "Too many active tasks", retryable: true },
  STORE_ERROR: { status: 503, title: "Storage unavailable", retryable: true },
  CACHE_CLOSED: { status: 503, title: "Cache closed", retryable: true },
  FORBIDDEN: { status: 403, title: "Forbidden" },
  // Same status as an unknown ref: a caller learns nothing about ids that are not its own.
  REFERENCE_UNAVAILABLE: { status: 404, title: "Reference unavailable" },
  EXECUTE_ONLY: { status: 403, title: "Value is execute-only" },
} as const satisfies Record<ErrorCode, ProblemKind>;

/** Core's error codes and this adapter's own problems → HTTP status and title. */
export const PROBLEM_KINDS = {
  ...CORE_PROBLEMS,
  REF_NOT_FOUND: { status: 404, title: "Reference not found" },
  RESULT_NOT_READY: { status: 409, title: "Task has no result yet", retryable: true },
  RESULT_UNAVAILABLE: { status: 409, title: "Task finished without a result" },
  RESULT_EXPIRED: { status: 410, title: "Result expired" },
  ROUTE_NOT_FOUND: { status: 404, title: "Not found" },
  FOREIGN_ORIGIN: { status: 403, title: "Host or origin not allowed" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Body must be JSON" },
  TASK_FAILED: { status: 500, title: "Task failed" },
  INTERNAL_ERROR: { status: 500, title: "Internal server error" },
} as const satisfies Record<string, ProblemKind>;
export type ProblemCode = keyof typeof PROBLEM_KINDS;

/** The problem `type` URI of a code, e.g. `urn:mcp-refcache:problem:task-not-found`. */
export function problemType(code: ProblemCode): string {
  return `urn:mcp-refcache:problem:${code.toLowerCase().replaceAll("_", "-")}`;
}

export interface ProblemInit {
  code: ProblemCode;
  detail: string;
  /** The request path the problem is about. */
  instance?: string;
  /** Extension members (`refId`, `issues`, `status` of a task, …). */
  extensions?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

export function problemResponse(init: ProblemInit): Response {
  const kind: ProblemKind = PROBLEM_KINDS[init.code];
  const body = {
    ...init.extensions,
    type: problemType(init.code),
    title: kind.title,
    status: kind.status,
    detail: init.detail,
    code: init.code,
    ...(init.instance === undefined ? {} : { instance: init.instance }),
  };
  const headers = new Headers({ "Content-Type": PROBLEM_CONTENT_TYPE });
  if (kind.retryable) headers.set("Retry-After", String(init.retryAfterSeconds ?? 1));
  return new Response(JSON.stringify(body), { status: kind.status, headers });
}

function isKnownCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEM_KINDS, code);
}

/**
 * The problem answer for anything thrown while serving `instance`. Core errors go through the table;
 * Hono's `HTTPException` keeps its own response; anything else is a 500 that does not leak its message.
 */
export function problemFromError(error: unknown, instance: string, retryAfterSeconds?: number): Response {
  if (error instanceof HTTPException) return error.getResponse();
  if (RefCacheError.isInstance(error) && isKnownCode(error.code)) {
    const json = error.toJSON();
    const { name: _name, code: _code, message: _message, ...extensions } = json;
    return problemResponse({
      code: error.code,
      // A store's own failure names what it met (hosts, limits): the client is told only that it failed.
      detail: clientMessage(error),
      instance,
      extensions,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  return problemResponse({ code: "INTERNAL_ERROR", detail: "The server could not answer this request", instance });
}

/** A 500 answer for work that failed within the timeout: its message is what the task records too. */
export function taskFailedResponse(error: unknown, refId: string, instance: string): Response {
  // A store failure the work met is told as such, as the task records it (`failureReason`).
  return problemResponse({ code: "TASK_FAILED", detail: failureReason(error), instance, extensions: { refId } });
}
