/**
 * Tools registered with `taskSupport: "required"` can only answer with a task, so a `tools/call` for one
 * from a client that did not declare the Tasks extension is refused with `-32021` (SEP-2663 "Required
 * Capabilities", SEP-2575 "Missing Required Client Capability"). The SDK's McpServer turns every error a
 * tool callback throws into an `isError` result, so the refusal has to happen before it: this wraps the
 * SDK's own `tools/call` handler once per server and checks the tool name first.
 */
import type { McpServer, ServerContext } from "@modelcontextprotocol/server";
import { clientDeclaresTasks, missingTasksCapability } from "./tasks-extension.js";

type StoredHandler = (request: { params?: { name?: unknown } }, ctx: ServerContext) => Promise<unknown>;

/** The seam this reaches into: `Protocol._getRequestHandler` (protected in the SDK's types, SDK v2 2.4). */
interface HandlerLookup {
  _getRequestHandler(method: string): StoredHandler | undefined;
}

const requiredByServer = new WeakMap<McpServer, Set<string>>();

/**
 * Marks `name` as task-required on `server`. Call right after the tool is registered (the SDK installs
 * its `tools/call` handler with the first tool).
 */
export function requireTaskFor(server: McpServer, name: string): void {
  let required = requiredByServer.get(server);
  if (required === undefined) {
    required = new Set();
    requiredByServer.set(server, required);
    const lookup = server.server as unknown as Partial<HandlerLookup>;
    const original =
      typeof lookup._getRequestHandler === "function" ? lookup._getRequestHandler("tools/call") : undefined;
    if (original === undefined) {
      // Fails at registration, not at the first call, when the SDK no longer offers the seam.
      throw new TypeError(
        'taskSupport: "required" needs the SDK\'s tools/call handler (Protocol._getRequestHandler, @modelcontextprotocol/server 2.4)',
      );
    }
    const names = required;
    server.server.setRequestHandler("tools/call", (request, ctx) => {
      if (names.has(request.params.name) && !clientDeclaresTasks(ctx)) throw missingTasksCapability();
      return original(request, ctx) as never;
    });
  }
  required.add(name);
}
