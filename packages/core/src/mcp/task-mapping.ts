/**
 * TaskInfo ↔ the task objects of the two MCP task generations: spec 2025-11-25 (`ttl`, `pollInterval`,
 * served by SDK v1's TaskStore) and the 2026-07-28 Tasks extension (`resultType: "task"`, `ttlMs`,
 * `pollIntervalMs`, `tasks/get` answering a DetailedTask with the result or error inline).
 *
 * The generations read a failed tool differently. 2025-11-25: a tool call whose result is `isError`
 * ends its task `failed`, so a core `failed` task stays `failed`. 2026-07-28 (SEP-2663, "Tool errors vs
 * protocol errors"): a tool that reported an error ends `completed` with an `isError` result; `failed` is
 * for protocol-level errors only (see `decodeProtocolFailure`).
 */
import { storedFault } from "../codec.js";
import type { TaskInfo } from "../models.js";
import { decodeProtocolFailure, INTERNAL_ERROR_CODE } from "./protocol-failure.js";
import type { McpToolResult } from "./result-shapes.js";
import { type McpTaskStatus, toMcpTaskStatus } from "./status.js";
import { taskStatusMessage } from "./tool-results.js";
import { type ValueAnswerOptions, valueAnswer } from "./value-answers.js";

/** How long a task and its result are kept, and how often the client should poll. */
export interface McpTaskTiming {
  /** Retention from creation (ms); `null` for unlimited. */
  ttlMs: number | null;
  /** Suggested polling interval (ms). */
  pollIntervalMs?: number;
}

/** A task as spec 2025-11-25 defines it (`tasks/get`, `tasks/list`, `CreateTaskResult.task`). */
export interface McpTask {
  taskId: string;
  status: McpTaskStatus;
  ttl: number | null;
  createdAt: string;
  lastUpdatedAt: string;
  pollInterval?: number;
  statusMessage?: string;
}

/** A task as the 2026-07-28 Tasks extension defines it. */
export interface McpTaskV2 {
  taskId: string;
  status: McpTaskStatus;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number | null;
  pollIntervalMs?: number;
  statusMessage?: string;
}

/** JSON-RPC error object carried by a failed DetailedTask. */
export interface McpTaskError {
  code: number;
  message: string;
}

/** The answer of the extension's `tasks/get`: the task, with its result once completed or error once failed. */
export type McpDetailedTaskV2 =
  | (McpTaskV2 & { status: "working" | "input_required" | "cancelled" })
  | (McpTaskV2 & { status: "completed"; result: McpToolResult & { resultType: "complete" } })
  | (McpTaskV2 & { status: "failed"; error: McpTaskError });

/** JSON-RPC "internal error": what a failed task's error carries unless its failure names another code. */
export const TASK_FAILED_ERROR_CODE = INTERNAL_ERROR_CODE;

/**
 * The status a 2026-07-28 client sees: core's, except that a task failed by its tool (not by the
 * protocol) reads `completed`, its result carrying `isError`.
 */
export function toMcpTaskStatusV2(task: TaskInfo): McpTaskStatus {
  if (task.status === "failed" && decodeProtocolFailure(task.error) === undefined) return "completed";
  return toMcpTaskStatus(task.status);
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();
const int = (ms: number | null) => (ms === null ? null : Math.round(ms));

/** TaskInfo → the 2026-07-28 extension's task; the task id is the ref id. */
export function toMcpTaskV2(task: TaskInfo, timing: McpTaskTiming): McpTaskV2 {
  return taskFields(task, timing, toMcpTaskStatusV2(task));
}

function taskFields(task: TaskInfo, timing: McpTaskTiming, status: McpTaskStatus): McpTaskV2 {
  const statusMessage = taskStatusMessage(task);
  return {
    taskId: task.refId,
    status,
    createdAt: iso(task.startedAt),
    lastUpdatedAt: iso(task.updatedAt),
    ttlMs: int(timing.ttlMs),
    ...(timing.pollIntervalMs === undefined ? {} : { pollIntervalMs: Math.round(timing.pollIntervalMs) }),
    ...(statusMessage === undefined ? {} : { statusMessage }),
  };
}

/**
 * TaskInfo → the 2025-11-25 task: the same fields, named `ttl` and `pollInterval`, and core's status
 * as it is (a tool that failed is `failed`).
 */
export function toMcpTask(task: TaskInfo, timing: McpTaskTiming): McpTask {
  const { ttlMs, pollIntervalMs, ...rest } = taskFields(task, timing, toMcpTaskStatus(task.status));
  return { ...rest, ttl: ttlMs, ...(pollIntervalMs === undefined ? {} : { pollInterval: pollIntervalMs }) };
}

/** The extension's `CreateTaskResult`: what `tools/call` answers when the client asked for a task. */
export function toCreateTaskResultV2(task: TaskInfo, timing: McpTaskTiming): McpTaskV2 & { resultType: "task" } {
  return { resultType: "task", ...toMcpTaskV2(task, timing) };
}

/**
 * The extension's DetailedTask. `value` is the stored result, read by the caller when the task is
 * complete (none for an execute-only one, `answer.executeOnly`: its reference alone goes out); a complete
 * task whose value is gone reads as failed ("result expired"). A task its tool
 * failed reads `completed` with `result: { isError: true, content: [{ type: "text", text: reason }] }`;
 * a protocol-level failure reads `failed` with its JSON-RPC `error`. The result is sized by
 * `answer.budget` (see `valueAnswer`): over it, the value's reference and preview go out instead.
 */
export function toDetailedTaskV2(
  task: TaskInfo,
  timing: McpTaskTiming,
  value?: unknown,
  answer: ValueAnswerOptions = { budget: false },
): McpDetailedTaskV2 {
  const base = toMcpTaskV2(task, timing);
  if (task.status === "failed") {
    const failure = decodeProtocolFailure(task.error);
    if (failure !== undefined) return { ...base, status: "failed", error: failure };
    const text = task.error ?? "The tool reported an error";
    return {
      ...base,
      status: "completed",
      result: { resultType: "complete", content: [{ type: "text", text }], isError: true },
    };
  }
  if (base.status === "completed") {
    // An execute-only value is read without its value (`getEntryForClient`): it is there, never shown.
    if (value === undefined && answer.executeOnly !== true) {
      return {
        ...base,
        status: "failed",
        error: { code: TASK_FAILED_ERROR_CODE, message: `The result of task "${task.refId}" has expired` },
      };
    }
    const retention = task.resultExpiresAt === undefined ? {} : { retention: { expiresAt: task.resultExpiresAt } };
    const executeOnly = task.resultExecuteOnly === true ? { executeOnly: true } : {};
    let result: McpToolResult;
    try {
      result = valueAnswer(task.refId, value, { ...retention, ...answer, ...executeOnly });
    } catch (error) {
      throw storedFault(error, () => value, task.refId);
    }
    return { ...base, status: "completed", result: { resultType: "complete", ...result } };
  }
  return base as McpDetailedTaskV2;
}
