/**
 * Core failures as the SDK's `ProtocolError`. Every request handler in this package sends them through
 * `toProtocolError`, whose codes come from core's one table (`JSON_RPC_ERROR_CODES`, shared with the SDK v1
 * adapter), so a client always sees a typed code and a clear message.
 */
import { toJsonRpcError } from "@mcp-refcache/core/mcp";
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";

/**
 * Maps any error to a ProtocolError (JSON-RPC 2.0 §5.1): a ProtocolError as is; core's errors through
 * `toJsonRpcError` — the caller's fault -32602, the server's -32603, with `data: { code: <ErrorCode> }`;
 * everything else -32603 with its message.
 */
export function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  const { code, message, data } = toJsonRpcError(error);
  return new ProtocolError(code, message, data);
}

/** -32602 with the wording of the spec's example, for an id this caller cannot see. */
export function taskNotFound(taskId: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Failed to retrieve task: Task not found (${taskId})`);
}
