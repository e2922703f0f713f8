/**
 * The one table from "what went wrong" to the `isError` tool result a model reads. Tool errors are
 * results, never protocol errors, so the model can read the message and decide what to do next.
 */
import { clientMessage, ErrorCode, errorMessage, type RefCacheError } from "../errors.js";
import type { McpToolResult } from "./result-shapes.js";

/** Why a polling or tool call could not give the model what it asked for. */
export type McpToolErrorKind =
  | "invalid_input"
  | "not_found"
  | "result_expired"
  | "failed"
  | "cancelled"
  | "already_finished"
  | "busy"
  | "reference_unavailable"
  | "execute_only"
  | "unavailable"
  | "internal";

const MESSAGES: Readonly<Record<McpToolErrorKind, (refId: string | undefined, detail: string) => string>> = {
  invalid_input: (_refId, detail) => `Invalid arguments: ${detail}`,
  not_found: (refId) =>
    `Nothing is stored under refId "${refId}": it is unknown, it expired, or it belongs to another client. ` +
    "Run the original tool again to get a new reference.",
  result_expired: (refId) =>
    `The result under refId "${refId}" has expired and is gone. Run the original tool again to compute it anew.`,
  failed: (refId, detail) => `The work under refId "${refId}" failed: ${detail}`,
  cancelled: (refId, detail) =>
    `The work under refId "${refId}" was cancelled${detail ? `: ${detail}` : ""}; it has no result.`,
  already_finished: (refId, detail) => `The work under refId "${refId}" has already finished (${detail}).`,
  busy: (_refId, detail) => `The server is busy: ${detail}. Try again later.`,
  // The error's own message: one wording for unknown, expired, foreign and unfinished (ids cannot be probed).
  reference_unavailable: (_refId, detail) => detail,
  execute_only: (_refId, detail) => detail,
  unavailable: (_refId, detail) => `The result store is unavailable: ${detail}. Try again later.`,
  internal: (_refId, detail) => `Internal error: ${detail}`,
};

/** Core error codes → the kind the model is told. */
const KIND_BY_CODE: Readonly<Record<ErrorCode, McpToolErrorKind>> = {
  [ErrorCode.Validation]: "invalid_input",
  [ErrorCode.TaskNotFound]: "not_found",
  [ErrorCode.IllegalTransition]: "already_finished",
  [ErrorCode.TaskAlreadyActive]: "busy",
  [ErrorCode.KeyOwnedByTask]: "busy",
  [ErrorCode.CapacityExceeded]: "busy",
  [ErrorCode.TaskNotCompleted]: "failed",
  [ErrorCode.Store]: "unavailable",
  [ErrorCode.Closed]: "unavailable",
  [ErrorCode.StaleRun]: "internal",
  // Another owner holds the ref: to the model it is not there, as for a read.
  [ErrorCode.Forbidden]: "not_found",
  [ErrorCode.ReferenceUnavailable]: "reference_unavailable",
  [ErrorCode.ExecuteOnly]: "execute_only",
};

/** An `isError` result for `kind`; `detail` completes the message (a reason, a status, the zod issues). */
export function toolErrorResult(kind: McpToolErrorKind, refId?: string, detail = ""): McpToolResult {
  const message = MESSAGES[kind](refId, detail);
  return {
    content: [{ type: "text", text: message }],
    structuredContent: { error: { kind, message, ...(refId === undefined ? {} : { refId }) } },
    isError: true,
  };
}

/**
 * An `isError` result for anything thrown: core errors by their `code`, anything else as `otherwise`
 * (by default the tool's own error: a failure of the work under `refId`, internal when there is none).
 */
export function toolErrorFromException(
  error: unknown,
  refId?: string,
  otherwise: McpToolErrorKind = refId === undefined ? "internal" : "failed",
): McpToolResult {
  // Matched by code, not class, so errors from another copy of core are recognised too.
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && typeof code === "string" && Object.hasOwn(KIND_BY_CODE, code)) {
    const errorRefId = (error as { refId?: unknown }).refId;
    // A task that did not complete carries its own reason: the message would repeat what the kind says.
    const reason = (error as { reason?: unknown }).reason;
    return toolErrorResult(
      KIND_BY_CODE[code as ErrorCode],
      typeof errorRefId === "string" ? errorRefId : refId,
      code === ErrorCode.TaskNotCompleted && typeof reason === "string"
        ? reason
        : clientMessage(error as RefCacheError),
    );
  }
  return toolErrorResult(otherwise, refId, errorMessage(error));
}
