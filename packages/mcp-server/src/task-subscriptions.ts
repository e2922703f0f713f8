/**
 * Status push for the 2026-07-28 Tasks extension: `subscriptions/listen` with
 * `notifications: { taskIds }` answered by an SSE stream of `notifications/tasks` (SEP-2663), fed by the
 * cache's change feed (`onTaskChange`: this instance's writes and, with a store that publishes changes
 * such as Redis, every other instance's), so a subscriber on any instance hears a task's changes.
 *
 * SDK v2 (2.4) answers `subscriptions/listen` inside `createMcpHandler` before any server sees it, and its
 * filter knows only list-changed and resource subscriptions (it drops `taskIds`). So this wraps the
 * handler: `withTaskSubscriptions(handler, cache)` serves a listen request that names `taskIds` and
 * declares the extension, and hands everything else to the SDK's handler unchanged.
 */
import {
  isTaskNews,
  isTerminalStatus,
  isVisibleTo,
  parseOrThrow,
  type RefCache,
  RefCacheError,
  type TaskInfo,
} from "@mcp-refcache/core";
import {
  answerBudget,
  type McpDetailedTaskV2,
  type McpTaskTiming,
  McpValueBudgetSchema,
  type PollingToolNames,
  PollingToolNamesSchema,
  toDetailedTaskV2,
  toJsonRpcError,
} from "@mcp-refcache/core/mcp";
import type { McpHandlerRequestOptions, McpHttpHandler, ServerContext } from "@modelcontextprotocol/server";
import * as z from "zod";
import { NamesOptionSchema, ResourcesOptionSchema, resourcesOf } from "./options.js";
import { defaultOwner, type OwnerResolver, ownerOf } from "./owner.js";
import { readTask, readValue } from "./task-access.js";
import { TASKS_EXTENSION_ID } from "./tasks-extension.js";

const SUBSCRIPTION_ID_META_KEY = "io.modelcontextprotocol/subscriptionId";
const CLIENT_CAPABILITIES_META_KEY = "io.modelcontextprotocol/clientCapabilities";

/** At most this many task ids per subscription, each at most 256 characters. */
const MAX_TASK_IDS = 100;

const ListenRequestSchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: z.union([z.string(), z.number()]),
  method: z.literal("subscriptions/listen"),
  params: z.object({
    notifications: z.object({ taskIds: z.array(z.string().min(1).max(256)).min(1).max(MAX_TASK_IDS) }),
    _meta: z.record(z.string(), z.unknown()).optional(),
  }),
});
type ListenRequest = z.infer<typeof ListenRequestSchema>;

/** A listen request that names task ids at all, whatever they are: one this wrapper answers, if only to refuse. */
const TaskListenSchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: z.union([z.string(), z.number()]),
  method: z.literal("subscriptions/listen"),
  params: z.object({
    notifications: z.looseObject({ taskIds: z.unknown() }).refine((n) => Object.hasOwn(n, "taskIds")),
    _meta: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** A listen request this wrapper serves, one it refuses (its task ids are not ones it takes), or neither. */
type Listen = { serve: ListenRequest } | { refuse: { id: string | number; message: string } } | undefined;

/** JSON-RPC 2.0 §5.1 "Invalid params". */
const INVALID_PARAMS = -32602;

export const TaskSubscriptionOptionsSchema = z.strictObject({
  /** Whose tasks a subscriber may hear of; give the one `withRefCache` uses. Defaults to `defaultOwner`. */
  owner: z.custom<OwnerResolver>((v) => typeof v === "function", "owner must be a function").optional(),
  /** Interval of SSE comments that keep idle proxies from closing the stream (ms). */
  keepAliveMs: z.number().int().positive().max(3_600_000).default(15_000),
  /**
   * How often the subscribed tasks are read again (ms), so a change the feed missed (Redis pub/sub is at
   * most once, and a new subscriber's feed takes a moment to start) is only late, never lost.
   */
  recheckMs: z.number().int().positive().max(3_600_000).default(5_000),
  /** Open task subscriptions this wrapper keeps at most; one more is refused with `-32603`. */
  maxSubscriptions: z.number().int().positive().max(1_000_000).default(1_000),
  /** `ttlMs` and `pollIntervalMs` reported in each notification. */
  ttlMs: z.number().int().positive().nullable().optional(),
  pollIntervalMs: z.number().int().positive().optional(),
  /**
   * The answer budget of a completed task's inline result; give the `valueBudget` `withRefCache` uses, so
   * a notification carries no more than `tasks/get` and `tasks/result` (default: the cache's budget).
   */
  valueBudget: McpValueBudgetSchema.optional(),
  /** The polling tools' names a notification's text points to; give the `names` `withRefCache` uses. */
  names: NamesOptionSchema,
  /** Whether notifications link references as resources; give the `resources` `withRefCache` uses. */
  resources: ResourcesOptionSchema,
});
export type TaskSubscriptionOptions = z.input<typeof TaskSubscriptionOptionsSchema>;

/** What `withTaskSubscriptions` returns: the same `fetch` face as the SDK's handler. */
export interface TaskSubscriptionHandler {
  fetch(request: Request, options?: McpHandlerRequestOptions): Promise<Response>;
}

function declaresExtension(meta: Record<string, unknown> | undefined): boolean {
  const capabilities = meta?.[CLIENT_CAPABILITIES_META_KEY] as { extensions?: Record<string, unknown> } | undefined;
  return capabilities?.extensions?.[TASKS_EXTENSION_ID] !== undefined;
}

async function listenRequestOf(request: Request, parsedBody: unknown): Promise<Listen> {
  if (request.method !== "POST") return undefined;
  let body = parsedBody;
  if (body === undefined) {
    try {
      body = await request.clone().json();
    } catch {
      return undefined;
    }
  }
  const parsed = ListenRequestSchema.safeParse(body);
  if (parsed.success) return declaresExtension(parsed.data.params._meta) ? { serve: parsed.data } : undefined;
  // Task ids this wrapper would serve, but not ones it takes: refused here, not handed to the SDK, which
  // would acknowledge an empty subscription and end it at once, as if every task had finished.
  const named = TaskListenSchema.safeParse(body);
  if (!named.success || !declaresExtension(named.data.params._meta)) return undefined;
  // A request that also asks for what the SDK serves (toolsListChanged, say) is the SDK's, as before.
  if (Object.keys(named.data.params.notifications).some((key) => key !== "taskIds")) return undefined;
  const message = `Invalid params: notifications.taskIds must be 1 to ${MAX_TASK_IDS} task ids of 1 to 256 characters`;
  return { refuse: { id: named.data.id, message } };
}

/**
 * Wraps SDK v2's `createMcpHandler` result so `subscriptions/listen` with `notifications.taskIds` streams
 * `notifications/tasks` for those tasks. The stream acknowledges the ids the caller may see
 * (`notifications/subscriptions/acknowledged`, unknown or foreign ids dropped), sends each one's current
 * state at once, then every change (`params`: the extension's DetailedTask, result or error inline once
 * terminal), and ends with the listen request's result when all of them are terminal or the client
 * goes away.
 */
export function withTaskSubscriptions(
  handler: McpHttpHandler,
  cache: RefCache,
  options: TaskSubscriptionOptions = {},
): TaskSubscriptionHandler {
  const parsed = parseOrThrow(TaskSubscriptionOptionsSchema, options, "withTaskSubscriptions options");
  const settings = {
    ...parsed,
    names: parseOrThrow(PollingToolNamesSchema, parsed.names, "withTaskSubscriptions options: names"),
    resources: resourcesOf(parsed.resources),
  };
  const owner = parsed.owner ?? defaultOwner;
  const timing: McpTaskTiming = {
    ttlMs: parsed.ttlMs === undefined ? cache.defaultTtlMs : parsed.ttlMs,
    ...(parsed.pollIntervalMs === undefined ? {} : { pollIntervalMs: parsed.pollIntervalMs }),
  };
  const open = { count: 0 };
  return {
    async fetch(request, requestOptions) {
      const asked = await listenRequestOf(request, requestOptions?.parsedBody);
      if (asked === undefined) return handler.fetch(request, requestOptions);
      if ("refuse" in asked) {
        const { id, message } = asked.refuse;
        return Response.json({ jsonrpc: "2.0", id, error: { code: INVALID_PARAMS, message } });
      }
      const listen = asked.serve;
      if (open.count >= parsed.maxSubscriptions) {
        const error = { code: -32603, message: "Subscription limit reached" };
        return Response.json({ jsonrpc: "2.0", id: listen.id, error });
      }
      const ctx = { http: { authInfo: requestOptions?.authInfo, req: request } } as unknown as ServerContext;
      let caller: string;
      try {
        // A client call is never unscoped: a resolver's `undefined` is the anonymous owner.
        caller = ownerOf(owner, ctx);
      } catch (error) {
        // No owner could be formed (a principal too long, a resolver that threw): a JSON-RPC error, as tasks/get.
        // A resolver's own error is the server's: only core's typed ones are worded for the client.
        const rpc = RefCacheError.isInstance(error)
          ? toJsonRpcError(error)
          : { code: -32603, message: "The caller's owner could not be resolved" };
        return Response.json({ jsonrpc: "2.0", id: listen.id, error: rpc });
      }
      open.count++;
      try {
        return await streamTasks(cache, listen, caller, timing, settings, request.signal, () => {
          open.count--;
        });
      } catch (error) {
        open.count--;
        throw error;
      }
    },
  };
}

async function streamTasks(
  cache: RefCache,
  listen: ListenRequest,
  owner: string,
  timing: McpTaskTiming,
  settings: {
    keepAliveMs: number;
    recheckMs: number;
    valueBudget?: z.output<typeof McpValueBudgetSchema> | undefined;
    names: PollingToolNames;
    resources: { uriTemplate: string } | undefined;
  },
  signal: AbortSignal,
  onClosed: () => void,
): Promise<Response> {
  const subscriptionId = listen.id;
  const current = new Map<string, TaskInfo>();
  for (const id of new Set(listen.params.notifications.taskIds)) {
    const task = await readTask(cache, id, owner).catch(() => undefined);
    if (task !== undefined) current.set(id, task);
  }
  const encoder = new TextEncoder();
  const stamp = { [SUBSCRIPTION_ID_META_KEY]: subscriptionId };
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  let unsubscribe: (() => void) | undefined;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let recheck: ReturnType<typeof setInterval> | undefined;
  const pending = new Set<string>(); // terminal ids not yet told
  let chain = Promise.resolve();

  const write = (frame: string) => {
    if (closed || controller === undefined) return;
    try {
      controller.enqueue(encoder.encode(frame));
    } catch {
      teardown(false);
    }
  };
  const send = (message: object) =>
    write(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", ...message })}\n\n`);
  const teardown = (graceful: boolean) => {
    if (closed) return;
    if (graceful) send({ id: subscriptionId, result: { resultType: "complete", _meta: stamp } });
    closed = true;
    onClosed();
    unsubscribe?.();
    if (keepAlive !== undefined) clearInterval(keepAlive);
    if (recheck !== undefined) clearInterval(recheck);
    signal.removeEventListener("abort", onAbort);
    try {
      controller?.close();
    } catch {
      // Already closed by the client.
    }
  };
  const onAbort = () => teardown(false);

  /** Sends the task's DetailedTask; ends the stream once every subscribed task is terminal. */
  const tell = async (task: TaskInfo) => {
    const stored =
      task.status === "complete" ? await readValue(cache, task.refId, owner).catch(() => undefined) : undefined;
    // A value over the answer budget goes out as its reference and preview, as in tasks/get.
    const answer = {
      budget: answerBudget(cache, settings.valueBudget),
      names: settings.names,
      resourceTemplate: settings.resources?.uriTemplate,
      executeOnly: stored?.executeOnly,
    };
    let detailed: McpDetailedTaskV2;
    try {
      detailed = toDetailedTaskV2(task, timing, stored?.value, answer);
    } catch (error) {
      // Its value cannot be answered (another writer's, nested too deep: STORE_ERROR): told as the task's
      // failure, as tasks/get answers it, so the subscriber hears of the end and the stream ends.
      detailed = { ...toDetailedTaskV2(task, timing), status: "failed", error: toJsonRpcError(error) };
    }
    send({ method: "notifications/tasks", params: { ...detailed, _meta: stamp } });
    if (isTerminalStatus(task.status)) pending.delete(task.refId);
    if ([...current.values()].every((t) => isTerminalStatus(t.status)) && pending.size === 0) teardown(true);
  };
  // Changes are told in order, one at a time (a complete task's value is read first).
  const enqueue = (task: TaskInfo) => {
    chain = chain.then(() => (closed ? undefined : tell(task))).catch(() => {});
  };

  const stream = new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      send({
        method: "notifications/subscriptions/acknowledged",
        params: { notifications: { taskIds: [...current.keys()] }, _meta: stamp },
      });
      if (current.size === 0) {
        teardown(true);
        return;
      }
      const changed = (task: TaskInfo) => {
        const known = current.get(task.refId);
        if (known === undefined || closed || isTerminalStatus(known.status)) return;
        if (!isVisibleTo(task, owner)) return;
        // Changes come from this instance, the change feed and the recheck's reads, twice or late: only news
        // is told (a later stage; within one, a newer state, two progress updates in one millisecond included).
        if (!isTaskNews(task, known)) return;
        current.set(task.refId, task);
        if (isTerminalStatus(task.status)) pending.add(task.refId);
        enqueue(task);
      };
      unsubscribe = cache.onTaskChange(changed);
      for (const task of current.values()) {
        if (isTerminalStatus(task.status)) pending.add(task.refId);
        enqueue(task);
      }
      keepAlive = setInterval(() => write(": keepalive\n\n"), settings.keepAliveMs);
      recheck = setInterval(() => {
        for (const [id, known] of current) {
          if (!isTerminalStatus(known.status)) {
            readTask(cache, id, owner).then(
              (task) => task !== undefined && changed(task),
              () => {},
            );
          }
        }
      }, settings.recheckMs);
      for (const timer of [keepAlive, recheck]) (timer as { unref?: () => void }).unref?.();
    },
    cancel() {
      teardown(false);
    },
  });
  if (signal.aborted) teardown(false);
  else signal.addEventListener("abort", onAbort, { once: true });
  return new Response(stream, {
    status: 200,
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
