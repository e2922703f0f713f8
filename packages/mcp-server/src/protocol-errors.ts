/**
 * The one table from core's error codes to JSON-RPC errors. Every request handler in this package sends
 * core failures through `toProtocolError`, so a client always sees a typed code and a clear message.
 */
import { type ErrorCode, errorMessage, RefCacheError } from "@mcp-refcache/core";
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";

const CODE_TABLE: Partial<Record<ErrorCode, ProtocolErrorCode>> = {
  VALIDATION_ERROR: ProtocolErrorCode.InvalidParams,
  TASK_NOT_FOUND: ProtocolErrorCode.InvalidParams,
  TASK_ALREADY_ACTIVE: ProtocolErrorCode.InvalidParams,
  ILLEGAL_TRANSITION: ProtocolErrorCode.InvalidParams,
  KEY_OWNED_BY_TASK: ProtocolErrorCode.InvalidParams,
};

/** Maps any error to a ProtocolError: core's codes through the table, everything else to -32603. */
export function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (error instanceof RefCacheError) {
    const code = CODE_TABLE[error.code] ?? ProtocolErrorCode.InternalError;
    return new ProtocolError(code, error.message, { code: error.code });
  }
  return new ProtocolError(ProtocolErrorCode.InternalError, errorMessage(error));
}

/** -32602 with the wording of the spec's example, for an id this caller cannot see. */
export function taskNotFound(taskId: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Failed to retrieve task: Task not found (${taskId})`);
}
