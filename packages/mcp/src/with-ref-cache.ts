/**
 * `withRefCache(server, cache)`: tools whose handlers return plain JSON, answered inline when fast and
 * with a pending reference when slow; the polling tools; and, when the server was built with
 * `refCacheServerOptions`, native MCP Tasks (2025-11-25) for clients that send `task` on `tools/call`.
 */
import {
  parseOrThrow,
  type RefCache,
  type ReferenceParameters,
  referenceInputSchema,
  type TaskContext,
} from "@mcp-refcache/core";
import {
  answerBudget,
  answerCachedResult,
  answerCancelTask,
  answerTaskStatus,
  appendToDescription,
  describeToolReferences,
  type McpToolResult,
  type PollingContext,
  pollingToolDefinitions,
  resolveToolArguments,
  runToolCall,
  toolErrorFromException,
  withRelatedTask,
} from "@mcp-refcache/core/mcp";
import type { McpServer, RegisteredTool } from "@modelcontextprotocol/sdk/server/mcp.js";
import type {
  AnySchema,
  SchemaOutput,
  ShapeOutput,
  ZodRawShapeCompat,
} from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  ToolAnnotations,
} from "@modelcontextprotocol/sdk/types.js";
import {
  type ParsedWithRefCacheOptions,
  parseWithRefCacheOptions,
  type RefCacheToolOptions,
  RefCacheToolOptionsSchema,
  resourceTemplateOf,
  type WithRefCacheOptions,
} from "./options.js";
import { type ProgressChannel, type ProgressUpdate, reportProgress } from "./progress.js";
import { registerRefResources } from "./ref-resources.js";
import { taskStoreOf } from "./server-options.js";
import { SessionOwners } from "./session-owners.js";
import { StatusNotifier } from "./status-notifier.js";
import type { RefCacheTaskStore } from "./task-store.js";
import { answerTasksList } from "./tasks-list.js";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** The second argument of a tool handler. */
export interface RefCacheToolContext {
  /** Aborted when the work is cancelled (`cancel_task`, `tasks/cancel`, the request cancelled) or the cache closes. */
  signal: AbortSignal;
  /** Records progress (seen by polling) and sends `notifications/progress` when the client asked for them. */
  reportProgress(update: ProgressUpdate): Promise<void>;
  /** The ref id the work runs under (the pending reference and the native task id). */
  refId: string;
  /** The SDK's request extra (session id, auth info, `_meta`, …). */
  extra: ToolExtra;
}

type ArgsOf<InputArgs> = InputArgs extends ZodRawShapeCompat
  ? ShapeOutput<InputArgs>
  : InputArgs extends AnySchema
    ? SchemaOutput<InputArgs>
    : undefined;

/** A tool handler: returns plain JSON data (or a promise of it). */
export type RefCacheToolHandler<InputArgs> = (args: ArgsOf<InputArgs>, context: RefCacheToolContext) => unknown;

/** The SDK's tool config without `outputSchema` (a pending reference has its own shape), plus timing options. */
export interface RefCacheToolConfig<InputArgs> extends RefCacheToolOptions {
  title?: string;
  description?: string;
  inputSchema?: InputArgs;
  annotations?: ToolAnnotations;
  _meta?: Record<string, unknown>;
}

export interface RefCacheTools {
  /** Registers a tool like `McpServer.registerTool`, but the handler gets `(args, context)` and returns JSON. */
  registerTool<InputArgs extends undefined | ZodRawShapeCompat | AnySchema = undefined>(
    name: string,
    config: RefCacheToolConfig<InputArgs>,
    handler: RefCacheToolHandler<InputArgs>,
  ): RegisteredTool;
  /** The registered polling tools. */
  readonly pollingTools: { status: RegisteredTool; result: RegisteredTool; cancel: RegisteredTool };
  /** `true` when the server answers native MCP Tasks from the cache. */
  readonly nativeTasks: boolean;
}

/** The first TTL given: `null` (kept until deleted) counts as given, only `undefined` falls through. */
function firstTtl(...ttls: (number | null | undefined)[]): number | null {
  return ttls.find((ttl) => ttl !== undefined) ?? null;
}

/** Adds reference caching to `server`. Call it before `server.connect`. */
export function withRefCache(server: McpServer, cache: RefCache, options: WithRefCacheOptions = {}): RefCacheTools {
  const parsed = parseWithRefCacheOptions(options);
  const store = taskStoreOf(server, cache);
  const notifier = store === undefined ? undefined : new StatusNotifier(server, cache, store);
  // A request always acts for an owner (core's owner rule); with native tasks the store also learns it for
  // its session, since the SDK hands the store only the session id.
  const owners = store?.owners ?? new SessionOwners(parsed.owner);
  store?.owners.watch(server.server);
  if (store !== undefined) answerTasksList(server, store);
  const ownerOf = (extra: ToolExtra): string => {
    const context = { sessionId: extra.sessionId, authInfo: extra.authInfo };
    return store === undefined ? owners.resolve(context) : owners.learn(context);
  };
  const polling = (extra: ToolExtra): PollingContext => ({
    owner: ownerOf(extra),
    names: parsed.names,
    pollIntervalMs: parsed.pollIntervalMs,
    ...(parsed.valueBudget === undefined ? {} : { valueBudget: parsed.valueBudget }),
  });

  const definitions = pollingToolDefinitions(parsed.names, {
    ttlMs: firstTtl(parsed.ttlMs, cache.defaultTtlMs),
    budget: answerBudget(cache, parsed.valueBudget),
  });
  const pollingTool = (
    definition: (typeof definitions)[keyof typeof definitions],
    answer: typeof answerTaskStatus,
  ): RegisteredTool =>
    server.registerTool(
      definition.name,
      { description: definition.description, inputSchema: definition.inputSchema },
      async (args: unknown, extra: ToolExtra) => (await answer(cache, args, polling(extra))) as CallToolResult,
    );
  const pollingTools = {
    status: pollingTool(definitions.status, answerTaskStatus),
    result: pollingTool(definitions.result, answerCachedResult),
    cancel: pollingTool(definitions.cancel, answerCancelTask),
  };
  const uriTemplate = resourceTemplateOf(parsed);
  if (uriTemplate !== undefined) {
    registerRefResources(server, cache, {
      uriTemplate,
      owner: ownerOf as (extra: never) => string,
      valueBudget: parsed.valueBudget,
    });
  }

  return {
    pollingTools,
    nativeTasks: store !== undefined,
    registerTool(name, config, handler) {
      const { timeoutMs, ttlMs, valueBudget, refParams, executeOnly, ...userConfig } = config;
      const toolOptions = parseOrThrow(
        RefCacheToolOptionsSchema,
        { timeoutMs, ttlMs, valueBudget, refParams, executeOnly },
        `options of tool "${name}"`,
      );
      // Opted-in parameters accept a reference too; the client sees both forms in the input schema.
      const references =
        toolOptions.refParams === undefined || toolOptions.refParams.length === 0
          ? undefined
          : referenceInputSchema(userConfig.inputSchema, toolOptions.refParams);
      if (references !== undefined) userConfig.inputSchema = references.inputSchema;
      // The spec's guidance for stateful tools: say what comes back as a reference and how long it lives.
      const note = describeToolReferences(parsed.names, {
        ttlMs: firstTtl(toolOptions.ttlMs, parsed.ttlMs, cache.defaultTtlMs),
        budget: answerBudget(cache, parsed.valueBudget, toolOptions.valueBudget),
      });
      const sdkConfig = { ...userConfig, description: appendToDescription(userConfig.description, note) };
      const call = new ToolCall(
        cache,
        parsed,
        toolOptions,
        ownerOf,
        handler as RefCacheToolHandler<unknown>,
        server,
        references?.parameters,
      );
      if (store === undefined || notifier === undefined) {
        return server.registerTool(
          name,
          sdkConfig,
          (async (...params: unknown[]) => (await call.inline(params)) as CallToolResult) as never,
        );
      }
      return server.experimental.tasks.registerToolTask(
        name,
        { ...sdkConfig, inputSchema: sdkConfig.inputSchema as AnySchema, execution: { taskSupport: "optional" } },
        {
          createTask: (async (...params: unknown[]) => call.createTask(params, store, notifier)) as never,
          // The SDK answers tasks/get and tasks/result from the store; these are never called.
          getTask: (async (_args: unknown, extra: { taskId: string }) => store.getTask(extra.taskId)) as never,
          getTaskResult: (async (_args: unknown, extra: { taskId: string }) =>
            store.getTaskResult(extra.taskId)) as never,
        },
      );
    },
  };
}

/** One tool's calls: how its work is wrapped, waited for and answered. */
class ToolCall {
  constructor(
    readonly cache: RefCache,
    readonly options: ParsedWithRefCacheOptions,
    readonly toolOptions: RefCacheToolOptions,
    readonly ownerOf: (extra: ToolExtra) => string,
    readonly handler: RefCacheToolHandler<unknown>,
    readonly server: McpServer,
    readonly references: ReferenceParameters | undefined,
  ) {}

  /** The SDK passes `(args, extra)`, or only `(extra)` for a tool without input schema. */
  #split(params: unknown[]): { args: unknown; extra: ToolExtra } {
    return params.length > 1
      ? { args: params[0], extra: params[1] as ToolExtra }
      : { args: undefined, extra: params[0] as ToolExtra };
  }

  #work(args: unknown, extra: ToolExtra, channel: ProgressChannel) {
    return (task: TaskContext) =>
      this.handler(args as never, {
        signal: task.signal,
        refId: task.refId,
        extra,
        reportProgress: (update) => reportProgress(task, channel, update),
      });
  }

  /** A client's requested `ttl` is honoured up to the configured one (the spec lets servers override it). */
  #grantedTtlMs(requested: number | null | undefined): number | null {
    const configured = this.toolOptions.ttlMs ?? this.options.ttlMs ?? this.cache.defaultTtlMs;
    if (requested === null || requested === undefined || requested <= 0) return configured;
    const wanted = Math.max(1, Math.round(requested));
    return configured === null ? wanted : Math.min(wanted, configured);
  }

  #ttlMs() {
    const ttlMs = this.toolOptions.ttlMs ?? this.options.ttlMs;
    return ttlMs === undefined ? {} : { ttlMs };
  }

  #owner(extra: ToolExtra): { owner: string } {
    return { owner: this.ownerOf(extra) };
  }

  /** A call without `task`: the value inline when it finishes within `timeoutMs`, else a pending reference. */
  async inline(params: unknown[], refId = this.cache.newRefId()): Promise<McpToolResult> {
    const { args: given, extra } = this.#split(params);
    // References are resolved before the work starts: the handler never runs with half an input.
    const resolved = await resolveToolArguments(this.cache, given, this.references, this.ownerOf(extra));
    if (!resolved.ok) return resolved.result;
    const { args } = resolved;
    let answered = false;
    const channel: ProgressChannel = {
      send: (notification) => extra.sendNotification(notification),
      progressToken: extra._meta?.progressToken,
      open: () => !answered,
    };
    // The client cancelling the request before the answer cancels the work too.
    const onAbort = () => {
      if (!answered) void this.cache.cancelTask(refId, "request cancelled", this.#owner(extra)).catch(() => {});
    };
    extra.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const outcome = await runToolCall(this.cache, this.#work(args, extra, channel), {
        timeoutMs: this.toolOptions.timeoutMs ?? this.options.timeoutMs,
        pollIntervalMs: this.options.pollIntervalMs,
        names: this.options.names,
        refId,
        ...(this.options.valueBudget === undefined ? {} : { valueBudget: this.options.valueBudget }),
        ...(this.toolOptions.valueBudget === undefined ? {} : { toolValueBudget: this.toolOptions.valueBudget }),
        ...(this.toolOptions.executeOnly === true ? { executeOnly: true } : {}),
        ...(resourceTemplateOf(this.options) === undefined
          ? {}
          : { resourceTemplate: resourceTemplateOf(this.options) }),
        ...this.#ttlMs(),
        ...this.#owner(extra),
      });
      // A pending reference says so in `_meta` too (related-task): its ref id is a task id here.
      return outcome.kind === "pending" ? withRelatedTask(outcome.result, outcome.refId) : outcome.result;
    } finally {
      answered = true;
      extra.signal.removeEventListener("abort", onAbort);
    }
  }

  /**
   * The SDK's `createTask` for this tool. With `task` on the request, starts the work as a native task
   * and answers the CreateTaskResult; without, answers like `inline` through the store (see below).
   */
  async createTask(params: unknown[], store: RefCacheTaskStore, notifier: StatusNotifier) {
    const { args: given, extra } = this.#split(params);
    const requestStore = (extra as ToolExtra & { taskStore: { createTask(o: object): Promise<{ taskId: string }> } })
      .taskStore;
    const reserved = await requestStore.createTask({
      ...(extra.taskRequestedTtl === undefined ? {} : { ttl: extra.taskRequestedTtl }),
    });
    const reservation = store.takeReservation(reserved.taskId);
    const refId = reserved.taskId;
    if (reservation?.taskRequested !== true) {
      // The SDK polls an "optional" task tool called without `task` until the task is terminal, then
      // returns getTaskResult: hand it a finished task whose result is our inline-or-pending answer.
      store.keepAnswer(refId, await this.inline(params, refId), this.ownerOf(extra));
      return { task: { ...reserved, status: "completed" } };
    }
    const resolved = await resolveToolArguments(this.cache, given, this.references, this.ownerOf(extra));
    const channel: ProgressChannel = {
      send: (notification) => this.server.server.notification(notification),
      progressToken: extra._meta?.progressToken,
      open: () => notifier.watching(refId),
    };
    try {
      const ttlMs = this.#grantedTtlMs(reservation.ttlMs);
      // An unusable reference fails the task at once with the model-readable reason; the handler never runs.
      const refused = resolved.ok
        ? undefined
        : resolved.result.content.map((c) => ("text" in c ? c.text : "")).join("\n");
      const work = resolved.ok
        ? this.#work(resolved.args, extra, channel)
        : () => {
            throw new Error(refused);
          };
      const info = await this.cache.registerTask(refId, work, {
        ttlMs,
        ...this.#owner(extra),
        ...(this.toolOptions.executeOnly === true ? { executeOnly: true } : {}),
      });
      store.grantTtl(refId, ttlMs);
      notifier.watch(info);
      return { task: store.view(info) };
    } catch (error) {
      // Registering failed (capacity, store down): the SDK turns the throw into an isError result.
      throw new Error(
        toolErrorFromException(error, refId)
          .content.map((c) => ("text" in c ? c.text : ""))
          .join("\n"),
      );
    }
  }
}
