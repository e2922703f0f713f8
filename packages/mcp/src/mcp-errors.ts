/**
 * Core failures as the SDK v1 `McpError`, with their codes from core's one table (`JSON_RPC_ERROR_CODES`,
 * shared with the SDK v2 adapter): the caller's fault -32602, the server's (store down, cache closed) -32603.
 */
import { toJsonRpcError } from "@mcp-refcache/core/mcp";
import { McpError } from "@modelcontextprotocol/sdk/types.js";

/**
 * Maps any error to an `McpError` (JSON-RPC 2.0 §5.1): an `McpError` as is; a core error through
 * `toJsonRpcError`, with `data: { code: <ErrorCode> }`; anything else -32603 with its message.
 */
export function toMcpError(error: unknown): McpError {
  if (error instanceof McpError) return error;
  const { code, message, data } = toJsonRpcError(error);
  return new McpError(code, message, data);
}

/** Runs `work`, answering whatever it throws as `toMcpError` maps it. */
export async function answeringMcpErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toMcpError(error);
  }
}
