/**
 * A v1 SDK `TaskStore` backed by the RefCache, so `tasks/get|result|list|cancel` are answered from the
 * shared registry (any instance can answer with shared stores). Task ids are the cache's ref ids. What the
 * cache throws leaves as an `McpError` with its code from core's table (a store outage -32603, not the
 * -32600 the SDK's `tasks/cancel` would make of a plain error); an id the caller cannot see is "Task not found".
 */
import {
  ErrorCode as CoreErrorCode,
  isAnonymousOwner,
  isTerminalStatus,
  type RefCache,
  RefCacheError,
  type TaskInfo,
} from "@mcp-refcache/core";
import {
  answerBudget,
  finishedTaskToolResult,
  type McpToolResult,
  type McpValueBudget,
  type PollingToolNames,
  toMcpTask,
} from "@mcp-refcache/core/mcp";
import type { CreateTaskOptions, TaskStore } from "@modelcontextprotocol/sdk/experimental/tasks";
import {
  ErrorCode,
  McpError,
  type Request,
  type RequestId,
  type Result,
  type Task,
} from "@modelcontextprotocol/sdk/types.js";
import { answeringMcpErrors } from "./mcp-errors.js";
import type { OwnerResolver } from "./options.js";
import { SessionOwners } from "./session-owners.js";

/** A reserved task id: created by `createTask`, started (or answered inline) by the tool right after. */
interface Reservation {
  /** The client sent `task` on `tools/call`: it wants a CreateTaskResult. */
  taskRequested: boolean;
  ttlMs: number | null | undefined;
}

export interface RefCacheTaskStoreOptions {
  pollIntervalMs: number;
  /** Reported `ttl` when a task names none (ms). */
  ttlMs: number | null;
  /** The owner a request acts for (`undefined`: the anonymous owner); see `withRefCache`'s `owner`. */
  owner: OwnerResolver;
  /** Tasks per `tasks/list` page. */
  pageSize?: number;
  /** Names of the polling tools a large result's text points to. */
  names?: PollingToolNames;
  /** Answer budget of `tasks/result` over the cache's (see `withRefCache`'s `valueBudget`). */
  valueBudget?: McpValueBudget;
  /** The reference resource template, when references are served as resources (`resource_link`). */
  resourceTemplate?: string;
}

const notFound = (taskId: string) => new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);

/** How many granted TTLs a store remembers (oldest forgotten first); enough for every live task of a server. */
const GRANTED_TTL_MEMORY = 10_000;

export class RefCacheTaskStore implements TaskStore {
  readonly cache: RefCache;
  /** Who each session acts for: the SDK hands this store only the session id. */
  readonly owners: SessionOwners;
  readonly #options: RefCacheTaskStoreOptions;
  readonly #reservations = new Map<string, Reservation>();
  /**
   * Answers of calls made without `task`, handed out once through `getTaskResult` (same request), each
   * with the owner it was made for: nobody else is handed it (the owner rule, as for stored tasks).
   */
  readonly #answers = new Map<string, { answer: McpToolResult; owner: string }>();
  /**
   * The `ttl` granted to each native task this instance created (ms; `null`: unlimited). A v1 session
   * lives in one process, so its `tasks/get` and `tasks/cancel` come here; elsewhere a completed task's
   * result expiry tells the same (`resultExpiresAt - completedAt`).
   */
  readonly #grantedTtl = new Map<string, number | null>();

  constructor(cache: RefCache, options: RefCacheTaskStoreOptions) {
    this.cache = cache;
    this.#options = options;
    this.owners = new SessionOwners(options.owner);
  }

  #scope(sessionId: string | undefined): { owner: string } {
    return { owner: this.owners.ownerOf(sessionId) };
  }

  /** The 2025-11-25 view of a task; `ttl` is the one granted at creation (spec 2025-11-25 §Task TTL). */
  view(task: TaskInfo): Task {
    return toMcpTask(task, { ttlMs: this.#ttlOf(task), pollIntervalMs: this.#options.pollIntervalMs }) as Task;
  }

  /** Records the `ttl` granted to a native task, so every later view reports it. */
  grantTtl(taskId: string, ttlMs: number | null): void {
    this.#grantedTtl.delete(taskId);
    this.#grantedTtl.set(taskId, ttlMs);
    if (this.#grantedTtl.size > GRANTED_TTL_MEMORY) {
      const oldest = this.#grantedTtl.keys().next().value;
      if (oldest !== undefined) this.#grantedTtl.delete(oldest);
    }
  }

  #ttlOf(task: TaskInfo): number | null {
    const granted = this.#grantedTtl.get(task.refId);
    if (granted !== undefined) return granted;
    const { resultExpiresAt, completedAt } = task;
    if (task.status === "complete" && resultExpiresAt !== undefined && completedAt !== undefined) {
      return Math.max(0, resultExpiresAt - completedAt);
    }
    return this.#options.ttlMs;
  }

  /** Reserves a new ref id; the tool's `createTask` then starts the work under it (see `takeReservation`). */
  async createTask(
    params: CreateTaskOptions,
    _requestId: RequestId,
    request: Request,
    _sessionId?: string,
  ): Promise<Task> {
    const taskId = this.cache.newRefId();
    this.#reservations.set(taskId, {
      // Not isTaskAugmentedRequestParams: its `task` is optional, so it matches every tools/call.
      taskRequested: typeof request.params?.task === "object" && request.params.task !== null,
      ttlMs: params.ttl,
    });
    const now = new Date().toISOString();
    return {
      taskId,
      status: "working",
      ttl: params.ttl ?? this.#options.ttlMs,
      createdAt: now,
      lastUpdatedAt: now,
      pollInterval: this.#options.pollIntervalMs,
    };
  }

  /** Hands the reservation made by `createTask` to the tool (once). */
  takeReservation(taskId: string): Reservation | undefined {
    const reservation = this.#reservations.get(taskId);
    this.#reservations.delete(taskId);
    return reservation;
  }

  /**
   * Keeps the answer of a call made without `task`, made for `owner`, for the SDK's own `getTaskResult`
   * right after (a `getTaskResult` of another owner never gets it).
   */
  keepAnswer(taskId: string, answer: McpToolResult, owner: string): void {
    this.#answers.set(taskId, { answer, owner });
  }

  async getTask(taskId: string, sessionId?: string): Promise<Task | null> {
    return answeringMcpErrors(async () => {
      const task = await this.#read(taskId, sessionId);
      return task === undefined ? null : this.view(task);
    });
  }

  getTaskResult(taskId: string, sessionId?: string): Promise<Result> {
    return answeringMcpErrors(() => this.#taskResult(taskId, sessionId));
  }

  async #taskResult(taskId: string, sessionId: string | undefined): Promise<Result> {
    const kept = this.#answers.get(taskId);
    if (kept !== undefined && kept.owner === this.#scope(sessionId).owner) {
      this.#answers.delete(taskId);
      return kept.answer;
    }
    const task = await this.#read(taskId, sessionId);
    if (task === undefined) throw notFound(taskId);
    // A value over the budget goes out as its reference and preview, to be paged with get_cached_result.
    const result = await finishedTaskToolResult(this.cache, task, this.#scope(sessionId).owner, {
      budget: answerBudget(this.cache, this.#options.valueBudget),
      names: this.#options.names,
      resourceTemplate: this.#options.resourceTemplate,
      ...(task.resultExpiresAt === undefined ? {} : { retention: { expiresAt: task.resultExpiresAt } }),
    });
    if (result === undefined) throw new McpError(ErrorCode.InvalidRequest, `Task ${taskId} has not finished yet`);
    return result;
  }

  /** Only for tools that finish their tasks through the SDK; withRefCache's tools finish through the cache. */
  storeTaskResult(taskId: string, status: "completed" | "failed", result: Result, sessionId?: string) {
    return answeringMcpErrors(async () => {
      await this.#mustRead(taskId, sessionId);
      if (status === "completed") await this.cache.completeTask(taskId, result);
      else await this.cache.failTask(taskId, JSON.stringify(result.content ?? result));
    });
  }

  /** `cancelled` cancels through the cache, which aborts the work wherever it runs. */
  updateTaskStatus(taskId: string, status: Task["status"], statusMessage?: string, sessionId?: string) {
    return answeringMcpErrors(async () => {
      const task = await this.#mustRead(taskId, sessionId);
      if (isTerminalStatus(task.status)) {
        throw new McpError(ErrorCode.InvalidParams, `Task ${taskId} has already finished (${task.status})`);
      }
      if (status === "cancelled") await this.cache.cancelTask(taskId, statusMessage, this.#scope(sessionId));
      else if (status === "failed") await this.cache.failTask(taskId, statusMessage ?? "failed");
      // working / input_required / completed-without-result: nothing to record in the registry.
    });
  }

  /** The caller's tasks; none for the anonymous owner, which never lists (its ids are its only protection). */
  listTasks(cursor?: string, sessionId?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    return answeringMcpErrors(async () => {
      const scope = this.#scope(sessionId);
      if (isAnonymousOwner(scope.owner)) return { tasks: [] };
      const page = await this.cache.queryTasks({
        ...scope,
        ...(cursor === undefined ? {} : { cursor }),
        limit: this.#options.pageSize ?? 100,
      });
      return {
        tasks: page.tasks.map((task) => this.view(task)),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    });
  }

  async #read(taskId: string, sessionId: string | undefined): Promise<TaskInfo | undefined> {
    try {
      return await this.cache.getTask(taskId, this.#scope(sessionId));
    } catch (error) {
      // A malformed id cannot name a task: answer "not found" like any unknown id.
      if (RefCacheError.isInstance(error, CoreErrorCode.Validation)) return undefined;
      throw error;
    }
  }

  async #mustRead(taskId: string, sessionId: string | undefined): Promise<TaskInfo> {
    const task = await this.#read(taskId, sessionId);
    if (task === undefined) throw notFound(taskId);
    return task;
  }
}
