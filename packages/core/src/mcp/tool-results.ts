/**
 * Builders of the `tools/call` results a client sees: an inline value, a pending reference with a text
 * that tells the model which tool to call next, and the answers of the polling tools.
 */
import type { TaskInfo, TaskProgress } from "../models.js";
import type { McpTextContent, McpToolResult } from "./result-shapes.js";
import { type McpTaskStatus, toMcpTaskStatus } from "./status.js";
import { toolErrorResult } from "./tool-errors.js";
import { DEFAULT_POLLING_TOOL_NAMES, type PollingToolNames } from "./tool-inputs.js";

/** How pending results and status answers talk about the next step. */
export interface NextStepOptions {
  /** Names of the polling tools the model should call. */
  names?: PollingToolNames;
  /** How long the model should wait between polls (ms). */
  pollIntervalMs: number;
}

/** What `get_task_status` and the pending reference report about a task. */
export interface McpTaskView {
  refId: string;
  status: McpTaskStatus;
  progress?: TaskProgress;
  statusMessage?: string;
  error?: string;
  /** The task completed but its value is gone (time to live passed). */
  resultExpired?: true;
  createdAt: string;
  lastUpdatedAt: string;
  pollIntervalMs?: number;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `structuredContent` must be an object: objects go as they are, anything else as `{ value }`. */
export function toStructuredContent(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? value : { value };
}

/**
 * The text block of a value: a string as it is, anything else as compact JSON. No indentation: clients
 * count every character, and indenting a large value added a quarter to half again to its size.
 */
export function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "null";
}

/** A tool's value, answered inline: as `structuredContent` and as text. */
export function valueToolResult(value: unknown): McpToolResult {
  return { content: [{ type: "text", text: textOf(value) }], structuredContent: toStructuredContent(value) };
}

/** A one-line summary of progress, e.g. `3/10 (30%) reading rows`. */
export function describeProgress(progress: TaskProgress | undefined): string | undefined {
  if (progress === undefined) return undefined;
  const parts: string[] = [];
  if (progress.current !== undefined) {
    parts.push(progress.total === undefined ? `${progress.current}` : `${progress.current}/${progress.total}`);
  }
  if (progress.percentage !== undefined) parts.push(`(${progress.percentage}%)`);
  if (progress.message !== undefined) parts.push(progress.message);
  return parts.length === 0 ? undefined : parts.join(" ");
}

/** The status message of a task: its error once failed or cancelled, else a summary of its progress. */
export function taskStatusMessage(task: TaskInfo): string | undefined {
  if (task.status === "failed" || task.status === "cancelled") return task.error;
  return describeProgress(task.progress);
}

/** The JSON view of a task that the polling tools report. */
export function toMcpTaskView(task: TaskInfo, pollIntervalMs?: number): McpTaskView {
  const status = toMcpTaskStatus(task.status);
  const statusMessage = taskStatusMessage(task);
  return {
    refId: task.refId,
    status,
    ...(task.progress === undefined ? {} : { progress: task.progress }),
    ...(statusMessage === undefined ? {} : { statusMessage }),
    ...(task.error === undefined ? {} : { error: task.error }),
    ...(task.resultExpired === true ? { resultExpired: true } : {}),
    createdAt: new Date(task.startedAt).toISOString(),
    lastUpdatedAt: new Date(task.updatedAt).toISOString(),
    ...(status === "working" && pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
  };
}

const args = (refId: string) => JSON.stringify({ refId });
const seconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))} s`;

function pollAgainText(task: TaskInfo, options: NextStepOptions): string {
  const names = options.names ?? DEFAULT_POLLING_TOOL_NAMES;
  const progress = describeProgress(task.progress);
  return (
    `Still working${progress === undefined ? "" : ` (${progress})`}. ` +
    `Call ${names.status} with ${args(task.refId)} in about ${seconds(options.pollIntervalMs)} to follow it; ` +
    `once it is completed, call ${names.result} with ${args(task.refId)} to get the result. ` +
    `${names.cancel} with the same refId stops it.`
  );
}

/**
 * The answer of a tool whose work did not finish in time: a pending reference
 * `{ refId, status: "working", progress?, pollIntervalMs }` and a text naming the tool to call next.
 */
export function pendingToolResult(task: TaskInfo, options: NextStepOptions): McpToolResult {
  const progress = task.progress;
  return {
    content: [{ type: "text", text: pollAgainText(task, options) }],
    structuredContent: {
      refId: task.refId,
      status: toMcpTaskStatus(task.status),
      ...(progress === undefined ? {} : { progress }),
      pollIntervalMs: options.pollIntervalMs,
    },
  };
}

function completedText(refId: string, names: PollingToolNames): string {
  return `Completed. Call ${names.result} with ${args(refId)} to get the result.`;
}

/** The answer of `get_task_status` for a value whose task record is gone (cleaned up): completed. */
export function storedValueStatusToolResult(refId: string, options: NextStepOptions): McpToolResult {
  return {
    content: [{ type: "text", text: completedText(refId, options.names ?? DEFAULT_POLLING_TOOL_NAMES) }],
    structuredContent: { refId, status: "completed" },
  };
}

/** The answer of `get_task_status`: the task's view and, in text, what to do next. */
export function taskStatusToolResult(task: TaskInfo, options: NextStepOptions): McpToolResult {
  const names = options.names ?? DEFAULT_POLLING_TOOL_NAMES;
  const view = toMcpTaskView(task, options.pollIntervalMs);
  const text: Record<McpTaskStatus, () => string> = {
    working: () => pollAgainText(task, options),
    input_required: () => pollAgainText(task, options),
    completed: () =>
      task.resultExpired === true
        ? `Completed, but its result has expired. Run the original tool again to compute it anew.`
        : completedText(task.refId, names),
    failed: () => `Failed: ${task.error ?? "no reason given"}. Run the original tool again to retry.`,
    cancelled: () => `Cancelled${task.error === undefined ? "" : `: ${task.error}`}. It has no result.`,
  };
  return { content: [{ type: "text", text: text[view.status]() }], structuredContent: { ...view } };
}

/** The answer of `get_cached_result` once the value is there: `{ refId, status: "completed", value }`. */
export function cachedResultToolResult(refId: string, value: unknown): McpToolResult {
  return {
    content: [{ type: "text", text: textOf(value) }],
    structuredContent: { refId, status: "completed", value },
  };
}

/**
 * The answer of `get_cached_result` for a task: the value when complete, "not ready" (not an error)
 * while it runs, and an `isError` result when it failed, was cancelled or its value expired.
 */
export function taskOutcomeToolResult(
  task: TaskInfo,
  value: unknown,
  options: NextStepOptions,
  build: (refId: string, value: unknown) => McpToolResult = cachedResultToolResult,
): McpToolResult {
  switch (task.status) {
    case "complete":
      return value === undefined ? toolErrorResult("result_expired", task.refId) : build(task.refId, value);
    case "failed":
      return toolErrorResult("failed", task.refId, task.error ?? "no reason given");
    case "cancelled":
      return toolErrorResult("cancelled", task.refId, task.error ?? "");
    default: {
      const result = taskStatusToolResult(task, options);
      const first = result.content[0] as McpTextContent;
      return { ...result, content: [{ type: "text", text: `Not ready yet. ${first.text}` }] };
    }
  }
}

/** The answer of `cancel_task` once the task is cancelled. */
export function cancelledToolResult(task: TaskInfo): McpToolResult {
  return {
    content: [{ type: "text", text: `Cancelled the work under refId "${task.refId}"; it has no result.` }],
    structuredContent: { ...toMcpTaskView(task) },
  };
}
