/**
 * Options of `withRefCache` and of each tool, validated once with zod where they enter: a bad option
 * fails at registration time with a ValidationError naming it, never in the middle of a tool call.
 */
import { parseOrThrow, TtlSchema } from "@mcp-refcache/core";
import {
  DEFAULT_REF_RESOURCE_TEMPLATE,
  type McpValueBudget,
  McpValueBudgetSchema,
  type PollingToolNames,
  PollingToolNamesSchema,
  RefResourceTemplateSchema,
  ToolNameSchema,
} from "@mcp-refcache/core/mcp";
import type { McpRequestContext, ServerContext } from "@modelcontextprotocol/server";
import * as z from "zod";
import { defaultOwner, type OwnerResolver, ownerOf } from "./owner.js";

const isFunction = (value: unknown): value is OwnerResolver => typeof value === "function";

const timing = {
  /** How long a call waits for its handler before answering with a task or a pending reference (ms). */
  timeoutMs: z.number().int().nonnegative().optional(),
  /** How long a result stays readable after the work completes (ms); `null` keeps it until deleted. */
  ttlMs: TtlSchema.optional(),
};

/**
 * Answer budget over the cache's `valueBudget`: `{ maxChars?, maxFullChars? }`, or `false` to answer
 * values whole whatever their size. On the server: every tool, the polling tools and `tasks/get`; on a
 * tool: that tool's inline answers.
 */
const valueBudget = McpValueBudgetSchema.optional();

/**
 * Serve references as resources: `true` for the template `refcache://refs/{refId}`, or `{ uriTemplate }`
 * (one `{refId}`, which is percent-encoded; no query — `?cursor=` and `?path=` page the value).
 */
export const ResourcesOptionSchema = z
  .union([z.boolean(), z.strictObject({ uriTemplate: RefResourceTemplateSchema.optional() })])
  .optional();

/** Names of the polling tools (valid MCP tool names, distinct); each defaults to its usual name. */
export const NamesOptionSchema = z
  .strictObject({ status: z.string(), result: z.string(), cancel: z.string() })
  .partial()
  .optional();

/** The reference resource template the `resources` option asks for, or `undefined` when it is off. */
export function resourcesOf(resources: z.output<typeof ResourcesOptionSchema>): { uriTemplate: string } | undefined {
  if (resources === undefined || resources === false) return undefined;
  return { uriTemplate: (resources === true ? undefined : resources.uriTemplate) ?? DEFAULT_REF_RESOURCE_TEMPLATE };
}

export const RefCacheServerOptionsSchema = z.strictObject({
  ...timing,
  valueBudget,
  resources: ResourcesOptionSchema,
  /** Polling interval suggested to clients, in tasks and pending references (ms). */
  pollIntervalMs: z.number().int().positive().optional(),
  names: NamesOptionSchema,
  /** Who a call acts for; defaults to the auth principal, else the anonymous owner (see `defaultOwner`). */
  owner: z.custom<OwnerResolver>(isFunction, "owner must be a function (ctx) => string | undefined").optional(),
  /**
   * The `createMcpHandler` factory's context (`(request) => …`). With it, a session-less
   * `notifications/cancelled` of a verified principal cancels that principal's open call.
   */
  request: z
    .custom<McpRequestContext>(
      (v) => typeof v === "object" && v !== null && "era" in v,
      "request must be the McpRequestContext the createMcpHandler factory received",
    )
    .optional(),
});
export type RefCacheServerOptions = z.input<typeof RefCacheServerOptionsSchema>;

export interface ResolvedServerOptions {
  names: PollingToolNames;
  timeoutMs: number;
  ttlMs: number | null | undefined;
  pollIntervalMs: number;
  /** The owner a request acts for: always a string (a resolver's `undefined` is the anonymous owner). */
  owner: (ctx: ServerContext) => string;
  valueBudget: McpValueBudget | undefined;
  request: McpRequestContext | undefined;
  /** The reference resource template, when references are served as resources. */
  resources: { uriTemplate: string } | undefined;
}

export const DEFAULT_TIMEOUT_MS = 2_000;
export const DEFAULT_POLL_INTERVAL_MS = 1_000;

export function resolveServerOptions(options: RefCacheServerOptions | undefined): ResolvedServerOptions {
  const parsed = parseOrThrow(RefCacheServerOptionsSchema, options ?? {}, "withRefCache options");
  const resolver = parsed.owner ?? defaultOwner;
  return {
    names: parseOrThrow(PollingToolNamesSchema, parsed.names, "withRefCache options: names"),
    timeoutMs: parsed.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ttlMs: parsed.ttlMs,
    pollIntervalMs: parsed.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    owner: (ctx) => ownerOf(resolver, ctx),
    resources: resourcesOf(parsed.resources),
    valueBudget: parsed.valueBudget,
    request: parsed.request,
  };
}

/** Per-tool overrides of the server-wide timing. */
export const ToolTimingSchema = z.strictObject({ ...timing, valueBudget });
export type ToolTiming = z.input<typeof ToolTimingSchema>;

/**
 * Whether a tool answers with a task (Tasks extension, SEP-2663): `"optional"` (default) answers inline
 * when the work is fast; `"required"` always answers a task and refuses clients without the extension
 * with `-32021`.
 */
export const TaskSupportSchema = z.enum(["optional", "required"]);
export type TaskSupport = z.infer<typeof TaskSupportSchema>;

/** What `registerTool` checks before it registers anything. */
export const ToolRegistrationSchema = z.object({
  name: ToolNameSchema,
  handler: z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", "handler must be a function"),
  timing: ToolTimingSchema,
  taskSupport: TaskSupportSchema.optional(),
  /** Parameters that also accept a reference `{ "refId", "path"? }`, resolved for the caller (core's `resolveRefs`). */
  refParams: z.array(z.string().min(1)).optional(),
  /** Store the tool's results execute-only: answered as their reference alone, usable, never readable. */
  executeOnly: z.boolean().optional(),
});
