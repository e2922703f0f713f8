/**
 * Tool errors and protocol errors, told apart across instances. The 2026-07-28 Tasks extension (SEP-2663,
 * "Tool errors vs protocol errors") ends a task whose tool reported an error as `completed` with an
 * `isError` result, and keeps `failed` for protocol-level errors carrying a JSON-RPC error. Core stores a
 * failed task's reason as one string, so a protocol-level failure is written as
 * `"MCP protocol error <code>: <message>"` (what an adapter records when a handler throws its SDK's
 * protocol error) and read back here; a lost worker (its process died) is protocol-level too.
 */
import { WORKER_LOST_MESSAGE } from "../liveness.js";

/** A JSON-RPC error object, as a failed DetailedTask carries it. */
export interface McpProtocolFailure {
  code: number;
  message: string;
}

/** JSON-RPC 2.0 §5.1 "Internal error" (-32603): the server failed; see also `JSON_RPC_ERROR_CODES`. */
export const INTERNAL_ERROR_CODE = -32603;

const PREFIX = "MCP protocol error ";
const ENCODED = /^MCP protocol error (-?\d{1,9}): ([\s\S]*)$/;

/**
 * The failure reason an adapter stores for a protocol-level error (`code` a JSON-RPC error code, an
 * integer). `decodeProtocolFailure` reads it back on any instance.
 */
export function encodeProtocolFailure(failure: McpProtocolFailure): string {
  const code = Number.isSafeInteger(failure.code) ? failure.code : INTERNAL_ERROR_CODE;
  return `${PREFIX}${code}: ${failure.message}`;
}

/**
 * The JSON-RPC error of a failed task when its failure was protocol-level (written by
 * `encodeProtocolFailure`, or the worker was lost), else `undefined`: the tool itself reported the error.
 */
export function decodeProtocolFailure(reason: string | undefined): McpProtocolFailure | undefined {
  if (reason === undefined) return undefined;
  const match = ENCODED.exec(reason);
  if (match !== null) return { code: Number(match[1]), message: match[2] as string };
  if (reason === WORKER_LOST_MESSAGE) return { code: INTERNAL_ERROR_CODE, message: reason };
  return undefined;
}
