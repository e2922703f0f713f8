/**
 * Calls still waiting for their answer on stateless HTTP, by principal and JSON-RPC request id, so that a
 * `notifications/cancelled` — which arrives without a session, on another request and so another server
 * instance — can cancel the caller's own work. Request ids are the client's choice, so a notification is
 * honoured only for a call of the same verified principal (`authInfo` passed to the handler): a client of
 * another principal never cancels its work, and an id two of its clients both have open cancels neither.
 * Within one principal a late notification (its call already answered) can still reach another client's
 * call under the same id: calls are not told apart by connection. In-process: a notification that reaches
 * another instance is ignored (the connection aborting, or `cancel_task`, still stops the work).
 */
import type { RefCache } from "@mcp-refcache/core";
import type { McpRequestContext, McpServer, ServerContext } from "@modelcontextprotocol/server";
import type { OwnerResolver } from "./owner.js";

type RequestId = string | number;

/** By principal and request id, the ref ids of the calls open under it (two clients may pick one id). */
const openByCache = new WeakMap<RefCache, Map<string, Set<string>>>();

const keyOf = (owner: string, requestId: RequestId) => `${owner}\u0000${typeof requestId}:${String(requestId)}`;

function openCalls(cache: RefCache): Map<string, Set<string>> {
  let calls = openByCache.get(cache);
  if (calls === undefined) {
    calls = new Map();
    openByCache.set(cache, calls);
  }
  return calls;
}

/** The principal a request can be tied to: its owner, only when the HTTP layer verified `authInfo`. */
export function verifiedPrincipal(ctx: ServerContext, owner: OwnerResolver): string | undefined {
  return ctx.http?.authInfo === undefined ? undefined : owner(ctx);
}

/** Records an open call (until the returned function runs) so a matching notification can cancel it. */
export function trackOpenCall(cache: RefCache, principal: string, requestId: RequestId, refId: string): () => void {
  const calls = openCalls(cache);
  const key = keyOf(principal, requestId);
  let open = calls.get(key);
  if (open === undefined) {
    open = new Set();
    calls.set(key, open);
  }
  open.add(refId);
  return () => {
    const still = calls.get(key);
    if (still === undefined) return;
    still.delete(refId);
    if (still.size === 0) calls.delete(key);
  };
}

/** The shape of the one seam used: the SDK's notification handlers (Protocol, SDK 2.4). */
interface NotificationHandlers {
  _notificationHandlers: Map<string, (notification: unknown, ...rest: unknown[]) => unknown>;
}

const CancelledParams = (value: unknown): { requestId?: RequestId; reason?: string } => {
  const params = (value as { params?: unknown } | null)?.params;
  if (typeof params !== "object" || params === null) return {};
  const { requestId, reason } = params as Record<string, unknown>;
  return {
    ...(typeof requestId === "string" || typeof requestId === "number" ? { requestId } : {}),
    ...(typeof reason === "string" ? { reason: reason.slice(0, 500) } : {}),
  };
};

/**
 * On a server built for one stateless HTTP request (`createMcpHandler`'s factory context), answers a
 * `notifications/cancelled` of a verified principal by cancelling its open call with that request id,
 * then runs the SDK's own handler as before.
 */
export function honourSessionlessCancel(
  server: McpServer,
  cache: RefCache,
  request: McpRequestContext,
  owner: OwnerResolver,
): void {
  if (request.authInfo === undefined) return;
  const principal = owner({ http: { authInfo: request.authInfo, req: request.requestInfo } } as ServerContext);
  if (principal === undefined) return;
  const handlers = (server.server as unknown as Partial<NotificationHandlers>)._notificationHandlers;
  const original = handlers?.get("notifications/cancelled");
  server.server.setNotificationHandler("notifications/cancelled", async (notification) => {
    const { requestId, reason } = CancelledParams(notification);
    const open = requestId === undefined ? undefined : openCalls(cache).get(keyOf(principal, requestId));
    // Two clients of one principal may each have a call open under this id: which one is meant cannot be
    // told, so an ambiguous notification cancels nothing (the connection closing, or cancel_task, still does).
    const refId = open?.size === 1 ? open.values().next().value : undefined;
    if (refId !== undefined) {
      cache.cancelTask(refId, reason ?? "the client cancelled the request", { owner: principal }).catch(() => {});
    }
    await original?.(notification);
  });
}
