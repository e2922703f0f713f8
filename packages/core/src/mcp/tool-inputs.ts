/**
 * Input schemas, default names and descriptions of the polling tools that every MCP adapter registers,
 * so a client that knows nothing of MCP Tasks can still follow slow work to its result.
 */
import * as z from "zod";
import { RefIdSchema } from "../models.js";

/** The ref id argument: same rules as everywhere in core (1–256 safe characters). */
const refIdArgument = RefIdSchema.describe("The refId of a pending reference returned by an earlier tool call");

/** `get_task_status({ refId })`. */
export const GetTaskStatusInputSchema = z.strictObject({ refId: refIdArgument });
export type GetTaskStatusInput = z.output<typeof GetTaskStatusInputSchema>;

/**
 * `get_cached_result({ refId })`. An object (not a bare id) so paging or previews can be added later as
 * optional fields without breaking callers; strict, so a field that does not exist yet is a clear error.
 */
export const GetCachedResultInputSchema = z.strictObject({ refId: refIdArgument });
export type GetCachedResultInput = z.output<typeof GetCachedResultInputSchema>;

/** `cancel_task({ refId })`. */
export const CancelTaskInputSchema = z.strictObject({ refId: refIdArgument });
export type CancelTaskInput = z.output<typeof CancelTaskInputSchema>;

/** The names under which the polling tools are registered; each can be overridden. */
export interface PollingToolNames {
  status: string;
  result: string;
  cancel: string;
}

export const DEFAULT_POLLING_TOOL_NAMES: Readonly<PollingToolNames> = Object.freeze({
  status: "get_task_status",
  result: "get_cached_result",
  cancel: "cancel_task",
});

/** MCP tool names: 1–128 characters of letters, digits, `_`, `-` and `.`. */
export const ToolNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, "tool names hold 1–128 letters, digits and _ - .");

export const PollingToolNamesSchema = z
  .strictObject({
    status: ToolNameSchema.default(DEFAULT_POLLING_TOOL_NAMES.status),
    result: ToolNameSchema.default(DEFAULT_POLLING_TOOL_NAMES.result),
    cancel: ToolNameSchema.default(DEFAULT_POLLING_TOOL_NAMES.cancel),
  })
  .refine((n) => new Set([n.status, n.result, n.cancel]).size === 3, "the three polling tools need distinct names")
  .default(DEFAULT_POLLING_TOOL_NAMES);

/** Definitions ready to register: name, description and input schema of each polling tool. */
export function pollingToolDefinitions(names: PollingToolNames = DEFAULT_POLLING_TOOL_NAMES) {
  return {
    status: {
      name: names.status,
      description:
        "Status of slow work started by an earlier tool call that answered with a pending reference: " +
        `working, completed, failed or cancelled, with progress. Once completed, call ${names.result}.`,
      inputSchema: GetTaskStatusInputSchema,
    },
    result: {
      name: names.result,
      description: `The result of slow work once ${names.status} reports it completed.`,
      inputSchema: GetCachedResultInputSchema,
    },
    cancel: {
      name: names.cancel,
      description: "Cancels slow work that is still running; it stops and its result is never stored.",
      inputSchema: CancelTaskInputSchema,
    },
  } as const;
}
