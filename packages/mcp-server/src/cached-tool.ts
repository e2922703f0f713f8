/**
 * One tool registered through the adapter: its handler runs as a task of the cache; the caller gets the
 * value inline when it is ready within `timeoutMs`, else a native task (client declared the Tasks
 * extension on this request) or a pending reference for the polling tools (every other client).
 */
import type { RefCache, ReferenceParameters, TaskContext, TaskInfo, TaskProgressUpdate } from "@mcp-refcache/core";
import {
  encodeProtocolFailure,
  type McpTaskTiming,
  type McpValueBudget,
  resolveToolArguments,
  runToolCall,
  toCreateTaskResultV2,
  toolErrorFromException,
  withRelatedTask,
} from "@mcp-refcache/core/mcp";
import {
  type CallToolResult,
  ProtocolError,
  type ServerContext,
  type ToolAnnotations,
} from "@modelcontextprotocol/server";
import type * as z from "zod";
import { grantedTtlMs, legacyCreateTaskResult, legacyTaskRequestOf } from "./legacy-tasks.js";
import { trackOpenCall, verifiedPrincipal } from "./open-calls.js";
import type { ResolvedServerOptions, TaskSupport, ToolTiming } from "./options.js";
import { clientDeclaresTasks } from "./tasks-extension.js";

/** What a handler gets besides its arguments. */
export interface CachedToolContext {
  /** Aborted when the task is cancelled (`tasks/cancel`, `cancel_task`) or the cache closes. */
  signal: AbortSignal;
  /** Records progress on the task; pollers see it in `get_task_status` and in `statusMessage`. */
  reportProgress(update: TaskProgressUpdate): Promise<unknown>;
  /** The ref id (and native task id) the work runs under. */
  refId: string;
  /**
   * The SDK's request context (auth, session, `_meta`) of the call that started the work. Read from it
   * freely; sending on it only works while the call is open, which a slow task outlives.
   */
  ctx: ServerContext;
}

/** A tool handler: returns JSON data (or a promise of it), which becomes the tool's result. */
export type CachedToolHandler<Args> = (args: Args, context: CachedToolContext) => unknown;

/** Registration options of a tool; `timeoutMs` and `ttlMs` override the server-wide ones. */
export interface CachedToolConfig<InputSchema extends z.ZodObject> extends ToolTiming {
  title?: string;
  description?: string;
  /** A zod object schema; the SDK validates arguments with it before the handler runs. */
  inputSchema?: InputSchema;
  annotations?: ToolAnnotations;
  /**
   * `"optional"` (default): inline when fast, else a task or a pending reference. `"required"`: always a
   * task (`resultType: "task"`), and `-32021` to a client that did not declare the Tasks extension.
   */
  taskSupport?: TaskSupport;
  /**
   * Parameters that also accept `{ "refId", "path"? }`: a reference to a stored value, resolved on the
   * server for the caller and validated by the parameter's own schema before the handler runs.
   */
  refParams?: readonly (keyof z.output<InputSchema> & string)[];
  /** Store this tool's results execute-only: every answer is the reference alone; usable, never readable. */
  executeOnly?: boolean;
}

export interface CachedToolSettings {
  cache: RefCache;
  server: ResolvedServerOptions;
  /** This tool's timeout and result TTL, already merged with the server-wide ones. */
  timeoutMs: number;
  ttlMs: number | null | undefined;
  /** This tool's `valueBudget` (over the server-wide one). */
  valueBudget: McpValueBudget | undefined;
  /** What a native task reports at creation. */
  taskTiming: McpTaskTiming;
  taskSupport: TaskSupport;
  /** The opted-in reference parameters, with their own schemas. */
  references?: ReferenceParameters | undefined;
  executeOnly?: boolean | undefined;
}

/**
 * Runs the handler, recording an SDK `ProtocolError` it throws as a protocol-level failure (the task
 * reads `failed` with that JSON-RPC error on the 2026 extension); any other error is the tool's own.
 */
async function runHandler(body: () => unknown): Promise<unknown> {
  try {
    return await body();
  } catch (error) {
    if (ProtocolError.isInstance(error)) {
      throw new Error(encodeProtocolFailure({ code: error.code, message: error.message }));
    }
    throw error;
  }
}

/** The SDK callback for a cached tool. */
export function cachedToolCallback<Args>(handler: CachedToolHandler<Args>, settings: CachedToolSettings) {
  const { cache, server, timeoutMs, ttlMs } = settings;

  const executeOnly = settings.executeOnly === true ? { executeOnly: true } : {};

  return async (given: Args, ctx: ServerContext): Promise<CallToolResult> => {
    const owner = server.owner(ctx);
    // References are resolved before any work starts: the handler never runs with half an input. An
    // unusable one is the answer (or, where a task must be answered, the task's failure).
    const resolved = await resolveToolArguments(cache, given, settings.references, owner);
    const refusal = resolved.ok ? undefined : resolved.result;
    const refId = cache.newRefId();
    const scope = { owner };
    // While the call is still open, progress also goes to the client as notifications/progress, and the
    // request's abort (the SDK's: in-session notifications/cancelled, stdio, a closed stateless
    // connection) cancels the task; once answered, the task lives on its own.
    let open = true;
    const progressToken = ctx.mcpReq._meta?.progressToken;
    const forward = (info: TaskInfo | undefined) => {
      const progress = info?.progress;
      if (!open || progressToken === undefined || progress?.current === undefined) return;
      const { current, total, message } = progress;
      const params = {
        progressToken,
        progress: current,
        ...(total === undefined ? {} : { total }),
        ...(message === undefined ? {} : { message }),
      };
      ctx.mcpReq.notify({ method: "notifications/progress", params }).catch(() => {});
    };
    const onRequestAborted = () => {
      cache.cancelTask(refId, "the client cancelled the request", scope).catch(() => {});
    };
    ctx.mcpReq.signal.addEventListener("abort", onRequestAborted, { once: true });
    // (On stateless HTTP the SDK aborts that signal when the request's connection closes before the
    // answer.) A notifications/cancelled arrives there on another request, so another server instance:
    // one of the same verified principal cancels this call through open-calls.ts.
    const principal = ctx.sessionId === undefined ? verifiedPrincipal(ctx, server.owner) : undefined;
    const untrack = principal === undefined ? undefined : trackOpenCall(cache, principal, ctx.mcpReq.id, refId);
    const stopListening = () => {
      ctx.mcpReq.signal.removeEventListener("abort", onRequestAborted);
      untrack?.();
    };

    const work = (task: TaskContext) =>
      runHandler(() => {
        if (!resolved.ok) throw new Error(resolved.result.content.map((c) => ("text" in c ? c.text : "")).join("\n"));
        return handler(resolved.args, {
          signal: task.signal,
          reportProgress: async (update) => {
            const info = await task.reportProgress(update);
            forward(info);
            return info;
          },
          refId: task.refId,
          ctx,
        });
      });

    /** Starts the work as a task at once and answers `shape(task)`; for calls that must get a task. */
    const answerWithTask = async (taskTtlMs: number | null | undefined, shape: (task: TaskInfo) => unknown) => {
      stopListening();
      open = false;
      try {
        const task = await cache.registerTask(refId, work, {
          ...(taskTtlMs === undefined ? {} : { ttlMs: taskTtlMs }),
          ...scope,
          ...executeOnly,
        });
        return shape(task) as CallToolResult;
      } catch (error) {
        return { ...toolErrorFromException(error, refId) };
      }
    };

    const legacyTask = legacyTaskRequestOf(ctx);
    if (legacyTask !== undefined) {
      // A 2025-era client asked for a 2025-11-25 task: it gets one, whatever the tool's timing.
      const granted = grantedTtlMs(legacyTask.ttl, settings.taskTiming.ttlMs);
      return answerWithTask(granted, (task) =>
        legacyCreateTaskResult(task, { ...settings.taskTiming, ttlMs: granted }),
      );
    }
    if (settings.taskSupport === "required") {
      // Only clients that declared the extension get here (the tools/call gate refuses the others).
      return answerWithTask(ttlMs, (task) => toCreateTaskResultV2(task, settings.taskTiming));
    }

    if (refusal !== undefined) {
      open = false;
      stopListening();
      return { ...refusal };
    }
    const outcome = await runToolCall(cache, work, {
      timeoutMs,
      pollIntervalMs: server.pollIntervalMs,
      names: server.names,
      refId,
      ...(server.valueBudget === undefined ? {} : { valueBudget: server.valueBudget }),
      ...(settings.valueBudget === undefined ? {} : { toolValueBudget: settings.valueBudget }),
      ...(ttlMs === undefined ? {} : { ttlMs }),
      ...scope,
      ...executeOnly,
      ...(server.resources === undefined ? {} : { resourceTemplate: server.resources.uriTemplate }),
    }).finally(() => {
      open = false;
      stopListening();
    });
    if (outcome.kind === "pending" && clientDeclaresTasks(ctx)) {
      // The SDK's result type has no task arm; the wire shape is the extension's CreateTaskResult.
      return toCreateTaskResultV2(outcome.task, settings.taskTiming) as unknown as CallToolResult;
    }
    // A pending reference says so in `_meta` too (related-task), for clients that read no text.
    if (outcome.kind === "pending") return { ...withRelatedTask(outcome.result, outcome.refId) };
    return { ...outcome.result };
  };
}
