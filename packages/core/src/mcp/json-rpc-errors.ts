/**
 * The one table from core's error codes to JSON-RPC error codes, for every MCP adapter: a failure a client
 * meets outside a tool call (`resources/read`, `tasks/*`) goes out as the JSON-RPC error object this file
 * builds, with core's code kept in `data`, so both SDK generations answer the same failure with the same code.
 */
import { clientMessage, ErrorCode, errorMessage, RefCacheError } from "../errors.js";
import { INTERNAL_ERROR_CODE } from "./protocol-failure.js";

/** JSON-RPC 2.0 §5.1 "Invalid params" (-32602): the request was wrong, retrying it as is will not help. */
export const INVALID_PARAMS_ERROR_CODE = -32602;

/** The JSON-RPC codes this table answers with: the caller's fault or the server's. */
export type McpFailureErrorCode = typeof INVALID_PARAMS_ERROR_CODE | typeof INTERNAL_ERROR_CODE;

/**
 * Core's `ErrorCode` → JSON-RPC error code (JSON-RPC 2.0 §5.1). The caller's request was wrong (bad input,
 * an id it cannot use, a state change the task does not allow) → -32602 Invalid params; the server could not
 * do it (the store failed, the cache is closed, capacity, a superseded run) → -32603 Internal error. A
 * `Record` over every code, so a new `ErrorCode` does not compile until it is mapped here. Frozen.
 */
export const JSON_RPC_ERROR_CODES: Readonly<Record<ErrorCode, McpFailureErrorCode>> = Object.freeze({
  [ErrorCode.Validation]: INVALID_PARAMS_ERROR_CODE,
  [ErrorCode.TaskNotFound]: INVALID_PARAMS_ERROR_CODE,
  [ErrorCode.TaskAlreadyActive]: INVALID_PARAMS_ERROR_CODE,
  [ErrorCode.IllegalTransition]: INVALID_PARAMS_ERROR_CODE,
  [ErrorCode.KeyOwnedByTask]: INVALID_PARAMS_ERROR_CODE,
  [ErrorCode.TaskNotCompleted]: INVALID_PARAMS_ERROR_CODE,
  [ErrorCode.StaleRun]: INTERNAL_ERROR_CODE,
  [ErrorCode.CapacityExceeded]: INTERNAL_ERROR_CODE,
  [ErrorCode.Store]: INTERNAL_ERROR_CODE,
  [ErrorCode.Closed]: INTERNAL_ERROR_CODE,
  [ErrorCode.Forbidden]: INVALID_PARAMS_ERROR_CODE,
  [ErrorCode.ReferenceUnavailable]: INVALID_PARAMS_ERROR_CODE,
  [ErrorCode.ExecuteOnly]: INVALID_PARAMS_ERROR_CODE,
});

/**
 * A JSON-RPC 2.0 error object (§5.1): `code` from `JSON_RPC_ERROR_CODES`, `message` the error's own, and for
 * a core error `data: { code }` with its `ErrorCode` (e.g. `"STORE_ERROR"`), so a client can tell failures
 * apart without parsing the message.
 */
export interface McpJsonRpcError {
  code: McpFailureErrorCode;
  message: string;
  data?: { code: ErrorCode };
}

/**
 * The JSON-RPC error object for anything thrown: a `RefCacheError` (of any copy of core) as
 * `{ code: JSON_RPC_ERROR_CODES[error.code], message: error.message, data: { code: error.code } }`,
 * anything else as `{ code: -32603, message: errorMessage(error) }` (no `data`). Never throws. An adapter
 * wraps the result in its SDK's error class (`McpError`, `ProtocolError`).
 */
export function toJsonRpcError(error: unknown): McpJsonRpcError {
  if (RefCacheError.isInstance(error)) {
    return { code: JSON_RPC_ERROR_CODES[error.code], message: clientMessage(error), data: { code: error.code } };
  }
  return { code: INTERNAL_ERROR_CODE, message: errorMessage(error) };
}
