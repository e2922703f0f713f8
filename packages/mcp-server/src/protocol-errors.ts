/**
 * The one table from core's error codes to JSON-RPC errors. Every request handler in this package sends
 * core failures through `toProtocolError`, so a client always sees a typed code and a clear message.
 */
import { ErrorCode, errorMessage, RefCacheError } from "@mcp-refcache/core";
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";

/** The caller's request was wrong → -32602; the server could not do it → -32603. */
const CODE_TABLE: Readonly<Record<ErrorCode, ProtocolErrorCode>> = {
  [ErrorCode.Validation]: ProtocolErrorCode.InvalidParams,
  [ErrorCode.TaskNotFound]: ProtocolErrorCode.InvalidParams,
  [ErrorCode.TaskAlreadyActive]: ProtocolErrorCode.InvalidParams,
  [ErrorCode.IllegalTransition]: ProtocolErrorCode.InvalidParams,
  [ErrorCode.KeyOwnedByTask]: ProtocolErrorCode.InvalidParams,
  [ErrorCode.TaskNotCompleted]: ProtocolErrorCode.InvalidParams,
  [ErrorCode.StaleRun]: ProtocolErrorCode.InternalError,
  [ErrorCode.CapacityExceeded]: ProtocolErrorCode.InternalError,
  [ErrorCode.Store]: ProtocolErrorCode.InternalError,
  [ErrorCode.Closed]: ProtocolErrorCode.InternalError,
  [ErrorCode.Forbidden]: ProtocolErrorCode.InvalidParams,
  [ErrorCode.ReferenceUnavailable]: ProtocolErrorCode.InvalidParams,
  [ErrorCode.ExecuteOnly]: ProtocolErrorCode.InvalidParams,
};

/** Maps any error to a ProtocolError: core's codes through the table, everything else to -32603. */
export function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (RefCacheError.isInstance(error)) {
    const code = CODE_TABLE[error.code as ErrorCode] ?? ProtocolErrorCode.InternalError;
    return new ProtocolError(code, error.message, { code: error.code });
  }
  return new ProtocolError(ProtocolErrorCode.InternalError, errorMessage(error));
}

/** -32602 with the wording of the spec's example, for an id this caller cannot see. */
export function taskNotFound(taskId: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Failed to retrieve task: Task not found (${taskId})`);
}
