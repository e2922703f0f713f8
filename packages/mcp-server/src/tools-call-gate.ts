/**
 * A wrapper around the SDK's own `tools/call` handler, installed once per server, that looks at a call
 * before McpServer does (McpServer turns every error a tool callback throws into an `isError` result,
 * and hides `params.task` from the callback):
 *
 * - a tool registered with `taskSupport: "required"` refuses a client that did not declare the Tasks
 *   extension with `-32021` (SEP-2663 "Required Capabilities", SEP-2575 "Missing Required Client
 *   Capability") — unless it is a 2025-era client that asked for a 2025-11-25 task, which it gets;
 * - a 2025-era call with `params.task` (e.g. SDK v1's `experimental.tasks.callToolStream`) is marked, so
 *   the cached tool answers it with a 2025-11-25 `CreateTaskResult` (see legacy-tasks.ts).
 */
import type { McpServer, ServerContext } from "@modelcontextprotocol/server";
import { markLegacyTaskRequest } from "./legacy-tasks.js";
import { clientDeclaresTasks, isLegacyEra, missingTasksCapability } from "./tasks-extension.js";

type StoredHandler = (request: { params?: { name?: unknown; task?: unknown } }, ctx: ServerContext) => Promise<unknown>;

/** The seam this reaches into: `Protocol._getRequestHandler` (protected in the SDK's types, SDK v2 2.4). */
interface HandlerLookup {
  _getRequestHandler(method: string): StoredHandler | undefined;
}

interface Gate {
  /** Tools registered through the adapter. */
  cached: Set<string>;
  /** Of those, the ones with `taskSupport: "required"`. */
  required: Set<string>;
}

const gates = new WeakMap<McpServer, Gate>();

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function install(server: McpServer): Gate {
  const gate: Gate = { cached: new Set(), required: new Set() };
  const lookup = server.server as unknown as Partial<HandlerLookup>;
  const original =
    typeof lookup._getRequestHandler === "function" ? lookup._getRequestHandler("tools/call") : undefined;
  if (original === undefined) {
    // Fails at registration, not at the first call, when the SDK no longer offers the seam.
    throw new TypeError(
      "@mcp-refcache/mcp-server needs the SDK's tools/call handler (Protocol._getRequestHandler, @modelcontextprotocol/server 2.4)",
    );
  }
  server.server.setRequestHandler("tools/call", (request, ctx) => {
    const { name } = request.params;
    const task = (request.params as { task?: unknown }).task;
    const legacyTask = gate.cached.has(name) && isLegacyEra(ctx) && isObject(task);
    if (legacyTask) markLegacyTaskRequest(ctx, task);
    else if (gate.required.has(name) && !clientDeclaresTasks(ctx)) throw missingTasksCapability();
    return original(request, ctx) as never;
  });
  return gate;
}

/**
 * Puts `name` behind the gate on `server`. Call right after the tool is registered (the SDK installs its
 * `tools/call` handler with the first tool).
 */
export function gateTool(server: McpServer, name: string, taskRequired: boolean): void {
  let gate = gates.get(server);
  if (gate === undefined) {
    gate = install(server);
    gates.set(server, gate);
  }
  gate.cached.add(name);
  if (taskRequired) gate.required.add(name);
}
