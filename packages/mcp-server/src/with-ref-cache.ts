/**
 * `withRefCache(server, cache)`: the adapter's entry. Registers the polling tools and the Tasks extension
 * handlers on a v2 `McpServer` and hands back a `registerTool` whose handlers run as cache tasks. Cheap
 * enough to call in every `createMcpHandler`/`serveStdio` factory call: all state is in the cache.
 */
import { parseOrThrow, type RefCache, referenceInputSchema, type TaskInfo } from "@mcp-refcache/core";
import { answerBudget, appendToDescription, describeToolReferences, type McpTaskTiming } from "@mcp-refcache/core/mcp";
import type { CallToolResult, McpServer, RegisteredTool, ServerContext } from "@modelcontextprotocol/server";
import * as z from "zod";
import { type CachedToolConfig, type CachedToolHandler, cachedToolCallback } from "./cached-tool.js";
import { registerNativeTaskHandlers } from "./native-tasks.js";
import { honourSessionlessCancel } from "./open-calls.js";
import { type RefCacheServerOptions, resolveServerOptions, ToolRegistrationSchema } from "./options.js";
import { registerPollingTools } from "./polling-tools.js";
import { registerRefResources } from "./ref-resources.js";
import { advertiseTasksExtension } from "./tasks-extension.js";
import { gateTool } from "./tools-call-gate.js";

export interface RefCacheServer {
  readonly server: McpServer;
  readonly cache: RefCache;
  /**
   * Registers a tool whose handler returns JSON. Fast calls answer inline; slow ones answer with a task
   * (client declared the Tasks extension) or a pending reference (any other client).
   */
  registerTool<InputSchema extends z.ZodObject = z.ZodObject<Record<string, never>>>(
    name: string,
    config: CachedToolConfig<InputSchema>,
    handler: CachedToolHandler<z.output<InputSchema>>,
  ): RegisteredTool;
}

const isMcpServer = (value: unknown): value is McpServer =>
  typeof (value as McpServer | null)?.registerTool === "function" &&
  typeof (value as McpServer | null)?.server?.setRequestHandler === "function";
const isRefCache = (value: unknown): value is RefCache =>
  typeof (value as RefCache | null)?.getTask === "function" &&
  typeof (value as RefCache | null)?.registerTask === "function";

const ArgumentsSchema = z.object({
  server: z.custom<McpServer>(isMcpServer, "server must be an McpServer from @modelcontextprotocol/server"),
  cache: z.custom<RefCache>(isRefCache, "cache must be a RefCache from @mcp-refcache/core"),
});

/** Call before the server is connected: the extension is advertised in its capabilities. */
export function withRefCache(server: McpServer, cache: RefCache, options?: RefCacheServerOptions): RefCacheServer {
  parseOrThrow(ArgumentsSchema, { server, cache }, "withRefCache arguments");
  const resolved = resolveServerOptions(options);
  const ttlOrDefault = (ttlMs: number | null | undefined) => (ttlMs === undefined ? cache.defaultTtlMs : ttlMs);
  const { pollIntervalMs } = resolved;

  // Once a result is stored its expiry is known; before that, the configured TTL is the best estimate.
  const timingOf = (task: TaskInfo): McpTaskTiming => ({
    ttlMs: task.resultExpiresAt === undefined ? ttlOrDefault(resolved.ttlMs) : task.resultExpiresAt - task.startedAt,
    pollIntervalMs,
  });

  advertiseTasksExtension(server);
  registerNativeTaskHandlers(server, cache, resolved, timingOf);
  registerPollingTools(server, cache, resolved);
  registerRefResources(server, cache, resolved);
  if (resolved.request !== undefined) honourSessionlessCancel(server, cache, resolved.request, resolved.owner);

  return {
    server,
    cache,
    registerTool<InputSchema extends z.ZodObject>(
      name: string,
      config: CachedToolConfig<InputSchema>,
      handler: CachedToolHandler<z.output<InputSchema>>,
    ) {
      const { timeoutMs, ttlMs, valueBudget, title, description, inputSchema, annotations, taskSupport } = config;
      const { refParams, executeOnly } = config;
      const { timing, ...parsed } = parseOrThrow(
        ToolRegistrationSchema,
        { name, handler, timing: { timeoutMs, ttlMs, valueBudget }, taskSupport, refParams, executeOnly },
        `registerTool("${String(name)}")`,
      );
      const toolTtlMs = timing.ttlMs === undefined ? resolved.ttlMs : timing.ttlMs;
      // The spec's guidance for stateful tools: say what comes back as a reference and how long it lives.
      const note = describeToolReferences(resolved.names, {
        ttlMs: ttlOrDefault(toolTtlMs),
        budget: answerBudget(cache, resolved.valueBudget, timing.valueBudget),
      });
      // Without a schema the SDK would call the handler with the context alone: a tool with no
      // arguments gets the empty object schema, which is what its `z.output` already is.
      const given = inputSchema ?? (z.object({}) as z.ZodObject as InputSchema);
      // Opted-in parameters accept a reference too; the client sees both forms in the input schema.
      const references =
        parsed.refParams === undefined || parsed.refParams.length === 0
          ? undefined
          : referenceInputSchema(given, parsed.refParams);
      const schema = references?.inputSchema ?? given;
      const callback = cachedToolCallback(handler, {
        cache,
        server: resolved,
        timeoutMs: timing.timeoutMs ?? resolved.timeoutMs,
        ttlMs: toolTtlMs,
        valueBudget: timing.valueBudget,
        taskTiming: { ttlMs: ttlOrDefault(toolTtlMs), pollIntervalMs },
        taskSupport: parsed.taskSupport ?? "optional",
        references: references?.parameters,
        executeOnly: parsed.executeOnly === true,
      });
      const registered = server.registerTool(
        name,
        {
          ...(title === undefined ? {} : { title }),
          description: appendToDescription(description, note),
          ...(annotations === undefined ? {} : { annotations }),
          inputSchema: schema as z.ZodObject,
        },
        // The SDK's callback type is conditional on the schema and cannot resolve for a generic one.
        callback as (args: z.output<z.ZodObject>, ctx: ServerContext) => Promise<CallToolResult>,
      );
      gateTool(server, name, parsed.taskSupport === "required");
      return registered;
    },
  };
}
