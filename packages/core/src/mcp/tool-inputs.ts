/**
 * Input schemas, default names and descriptions of the polling tools that every MCP adapter registers,
 * so a client that knows nothing of MCP Tasks can still follow slow work to its result.
 */
import * as z from "zod";
import { RefIdSchema } from "../models.js";
import { CURSOR_MAX_LENGTH } from "../values/cursor.js";
import { JSON_POINTER_MAX_LENGTH, POINTER_TOO_LONG_MESSAGE } from "../values/json-pointer.js";
import { AskedMaxCharsSchema, budgetUnit, type ResolvedValueBudget } from "../values/value-budget.js";
import { describeDuration } from "./retention.js";

/** The ref id argument: same rules as everywhere in core (1–256 safe characters). */
const refIdArgument = RefIdSchema.describe("The refId of a pending reference returned by an earlier tool call");

/** `get_task_status({ refId })`. */
export const GetTaskStatusInputSchema = z.strictObject({ refId: refIdArgument });
export type GetTaskStatusInput = z.output<typeof GetTaskStatusInputSchema>;

/**
 * `get_cached_result({ refId, cursor?, path?, maxChars?, full? })`: the whole value when it fits the
 * answer budget, else one page of it. Strict, so a misspelt field is a clear error, not ignored.
 */
export const GetCachedResultInputSchema = z.strictObject({
  refId: refIdArgument,
  cursor: z
    .string()
    .min(1)
    .max(CURSOR_MAX_LENGTH)
    .optional()
    .describe("The nextCursor of the previous page, exactly as given, to get the next page"),
  path: z
    .string()
    .max(JSON_POINTER_MAX_LENGTH, POINTER_TOO_LONG_MESSAGE)
    .optional()
    .describe('A JSON Pointer (RFC 6901) to page one part of the value, e.g. "/rows" or "/rows/3/name"'),
  maxChars: AskedMaxCharsSchema.optional().describe(
    "Largest page wanted, in the unit of the server's budget (characters of compact JSON unless the tool descriptions name another); capped at the server's",
  ),
  full: z
    .boolean()
    .optional()
    .describe("true: the whole value, when it is small enough for a whole read; else the answer says how to page"),
});
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

/** What the polling tools' descriptions state about stored values. */
export interface PollingToolDescriptionOptions {
  /** How long a result is kept after its work ends (ms); `null`: until deleted. */
  ttlMs?: number | null | undefined;
  /** The answer budget; `false`: values go out whole. */
  budget?: ResolvedValueBudget | false | undefined;
}

/** `References live 1 h after their work ends; after that, run the tool again.` (spec: stateful tools). */
export function describeReferenceLifetime(ttlMs: number | null | undefined): string {
  if (ttlMs === undefined) return "";
  return ttlMs === null
    ? " References live until the server deletes them."
    : ` References live ${describeDuration(ttlMs)} after their work ends; after that, run the tool again.`;
}

/**
 * The sentence an adapter appends to each of its tools' descriptions: slow or large results come back
 * as a refId, read with the result tool, and how long that reference lives.
 */
export function describeToolReferences(
  names: PollingToolNames = DEFAULT_POLLING_TOOL_NAMES,
  options: PollingToolDescriptionOptions = {},
): string {
  const large =
    options.budget === undefined || options.budget === false
      ? ""
      : ` or larger than ${options.budget.maxChars} ${budgetUnit(options.budget)}`;
  return ` Results that are slow${large} come back as a refId to read with ${names.result}.${describeReferenceLifetime(options.ttlMs)}`;
}

/** `description` followed by `note` (which starts with a space), with a full stop between when needed. */
export function appendToDescription(description: string | undefined, note: string): string {
  const base = (description ?? "").trimEnd();
  if (base === "") return note.trim();
  return /[.!?:;]$/.test(base) ? `${base}${note}` : `${base}.${note}`;
}

function resultDescription(names: PollingToolNames, options: PollingToolDescriptionOptions): string {
  const base = `The result of slow work once ${names.status} reports it completed, or of a large result answered with a refId and a preview.`;
  const budget = options.budget;
  const paging =
    budget === undefined || budget === false
      ? ""
      : ` A value over ${budget.maxChars} ${budgetUnit(budget)} comes one page at a time: pass each page's nextCursor back as ` +
        `cursor for the next, or path (a JSON Pointer) to page one part; full: true returns a whole value of up to ` +
        `${budget.maxFullChars} ${budgetUnit(budget)}.${budget.measure === undefined ? "" : " maxChars counts in the same unit."}`;
  return base + paging + describeReferenceLifetime(options.ttlMs);
}

/** Definitions ready to register: name, description and input schema of each polling tool. */
export function pollingToolDefinitions(
  names: PollingToolNames = DEFAULT_POLLING_TOOL_NAMES,
  options: PollingToolDescriptionOptions = {},
) {
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
      description: resultDescription(names, options),
      inputSchema: GetCachedResultInputSchema,
    },
    cancel: {
      name: names.cancel,
      description: "Cancels slow work that is still running; it stops and its result is never stored.",
      inputSchema: CancelTaskInputSchema,
    },
  } as const;
}
