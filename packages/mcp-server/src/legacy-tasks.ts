/**
 * 2025-11-25 tasks for 2025-era clients that ask for one (`params.task` on `tools/call`, e.g. SDK v1's
 * `client.experimental.tasks.callToolStream`): SDK v2 has no runtime for them and would answer a plain
 * result, which such a client fails to parse ("expected object at path task"). Instead the call answers a
 * 2025-11-25 `CreateTaskResult` (`{ task }`) and `tasks/get`, `tasks/result`, `tasks/list` and
 * `tasks/cancel` answer in that generation's shapes, from the cache, as SDK v1's task runtime would.
 */
import { isAnonymousOwner, isTerminalStatus, type RefCache, type TaskInfo } from "@mcp-refcache/core";
import {
  finishedTaskToolResult,
  type McpTaskTiming,
  type McpToolResult,
  toMcpTask,
  toolErrorResult,
  type ValueAnswerOptions,
  withRelatedTask,
} from "@mcp-refcache/core/mcp";
import type { ServerContext } from "@modelcontextprotocol/server";
import type { Owner } from "./task-access.js";

/** What the client asked for in `params.task` (spec 2025-11-25 `TaskMetadata`). */
export interface LegacyTaskRequest {
  ttl?: number;
}

const requests = new WeakMap<ServerContext, LegacyTaskRequest>();

/** Called by the tools/call gate, which sees `params.task` before McpServer drops it. */
export function markLegacyTaskRequest(ctx: ServerContext, task: Record<string, unknown>): void {
  const ttl = task.ttl;
  requests.set(ctx, typeof ttl === "number" && Number.isFinite(ttl) && ttl > 0 ? { ttl } : {});
}

/** The 2025-11-25 task the caller of this call asked for, if it asked. */
export function legacyTaskRequestOf(ctx: ServerContext): LegacyTaskRequest | undefined {
  return requests.get(ctx);
}

/** A requested `ttl` is honoured up to the configured one (the spec lets a server grant less). */
export function grantedTtlMs(requested: number | undefined, configured: number | null): number | null {
  if (requested === undefined) return configured;
  const wanted = Math.max(1, Math.round(requested));
  return configured === null ? wanted : Math.min(wanted, configured);
}

/**
 * The 2025-11-25 `CreateTaskResult`. SDK v2 insists on `content` in a tool result; an empty one does no
 * harm (SDK v1's client reads `task`).
 */
export function legacyCreateTaskResult(task: TaskInfo, timing: McpTaskTiming) {
  return { content: [], task: toMcpTask(task, timing) };
}

/** `tasks/get` and `tasks/cancel` of spec 2025-11-25: the task itself. */
export function legacyTask(task: TaskInfo, timing: McpTaskTiming) {
  return { ...toMcpTask(task, timing) };
}

/** How long `tasks/result` waits for a task that has not finished (ms), as SDK v1's runtime long-polls. */
const RESULT_WAIT_MS = 60_000;

/**
 * `tasks/result` of spec 2025-11-25: the tool result once the task is terminal (waiting for it a while
 * if it is not), with the related-task `_meta`; an `isError` result for a failed or cancelled task.
 */
export async function legacyTaskResult(
  cache: RefCache,
  task: TaskInfo,
  owner: Owner,
  answer: ValueAnswerOptions,
): Promise<McpToolResult> {
  const settled = isTerminalStatus(task.status)
    ? task
    : ((await cache.waitForTask(task.refId, { timeoutMs: RESULT_WAIT_MS, owner })) ?? task);
  return withRelatedTask(await settledResult(cache, settled, owner, answer), task.refId);
}

/** The tool result of a task `tasks/result` waited for. */
async function settledResult(
  cache: RefCache,
  settled: TaskInfo,
  owner: Owner,
  answer: ValueAnswerOptions,
): Promise<McpToolResult> {
  // A value over the budget goes out as its reference and preview, to be paged with get_cached_result.
  const result = await finishedTaskToolResult(cache, settled, owner, answer);
  return result ?? toolErrorResult("internal", settled.refId, "the task has not finished yet");
}

/**
 * `tasks/list` of spec 2025-11-25: the caller's tasks, a page at a time; none for the anonymous owner, which
 * never lists (its ids are its only protection), as the SDK v1 adapter answers.
 */
export async function legacyTaskList(
  cache: RefCache,
  owner: Owner,
  cursor: string | undefined,
  timingOf: (task: TaskInfo) => McpTaskTiming,
) {
  if (isAnonymousOwner(owner)) return { tasks: [] };
  const page = await cache.queryTasks({
    owner,
    ...(cursor === undefined ? {} : { cursor }),
    limit: 100,
  });
  return {
    tasks: page.tasks.map((task) => toMcpTask(task, timingOf(task))),
    ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
  };
}
