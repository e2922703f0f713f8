/**
 * The 2026-07-28 Tasks extension as a v2 server sees it: its id, whether the calling client declared it
 * on this request (the 2026 era carries client capabilities per request), and the error the spec
 * prescribes when it did not.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type McpServer,
  MissingRequiredClientCapabilityError,
  type ServerContext,
} from "@modelcontextprotocol/server";

export const TASKS_EXTENSION_ID = "io.modelcontextprotocol/tasks";

/**
 * True when the request's `_meta` envelope declares the extension. Legacy-era requests have no envelope,
 * so 2025 clients never get native tasks from this adapter.
 */
export function clientDeclaresTasks(ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
  const extensions = capabilities?.extensions as Record<string, unknown> | undefined;
  return extensions?.[TASKS_EXTENSION_ID] !== undefined;
}

/** True for a 2025-era request (legacy handshake): it carries no per-request `_meta` envelope. */
export function isLegacyEra(ctx: ServerContext): boolean {
  return ctx.mcpReq.envelope === undefined;
}

/** -32021 naming the extension, as the spec requires for `tasks/*` from a client that did not declare it. */
export function missingTasksCapability(): MissingRequiredClientCapabilityError {
  return new MissingRequiredClientCapabilityError(
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION_ID]: {} } } },
    `Missing required client capability: declare the ${TASKS_EXTENSION_ID} extension in this request's client capabilities`,
  );
}

/** Adds the extension to the server's capabilities; must run before the server is connected. */
export function advertiseTasksExtension(server: McpServer): void {
  server.server.registerCapabilities({ extensions: { [TASKS_EXTENSION_ID]: {} } });
}
