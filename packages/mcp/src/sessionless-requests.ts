/**
 * What a 2025-era Streamable HTTP server with sessions answers to traffic that comes before any session:
 * clients that probe for the 2026 protocol (`server/discover`, e.g. `@ai-sdk/mcp`) or open their GET
 * stream early must see the answers the 2025-11-25 spec prescribes, so their version discovery falls
 * back to `initialize` without an error. The SDK v1 transport answers both with a 400 whose JSON-RPC
 * error has `id: null`, which such clients cannot match to their request and report as uncaught.
 *
 * - GET without `Mcp-Session-Id` → `405 Method Not Allowed` (spec 2025-11-25, Streamable HTTP, "Listening
 *   for Messages from the Server": the server MUST either return an SSE stream or 405).
 * - POST of a JSON-RPC request other than `initialize` without a session → `400 Bad Request` (the spec's
 *   "Session Management": requests without a session id SHOULD get 400), whose body is a JSON-RPC error
 *   carrying the request's own id: `-32601` for `server/discover` (a method this protocol version does
 *   not have), `-32600` otherwise.
 * - DELETE without a session → `405`.
 */
import * as z from "zod";

const JsonRpcRequestSchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: z.union([z.string(), z.number()]),
  method: z.string(),
});

const METHOD_NOT_FOUND = -32601;
const INVALID_REQUEST = -32600;

function jsonRpcError(id: string | number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", id, error: { code, message } }, { status: 400 });
}

/**
 * The answer to `request` when it carries no `Mcp-Session-Id` and is not an `initialize`, else
 * `undefined` (hand it to a new transport). Reads a clone of the body, so `request` stays readable.
 */
export async function answerWithoutSession(request: Request): Promise<Response | undefined> {
  if (request.headers.get("mcp-session-id") !== null) return undefined;
  if (request.method === "GET" || request.method === "DELETE") {
    return new Response(null, { status: 405, headers: { allow: "POST" } });
  }
  if (request.method !== "POST") return undefined;
  let body: unknown;
  try {
    body = await request.clone().json();
  } catch {
    return undefined; // Not JSON: the transport answers its own parse error.
  }
  const parsed = JsonRpcRequestSchema.safeParse(body);
  if (!parsed.success || parsed.data.method === "initialize") return undefined;
  const { id, method } = parsed.data;
  if (method === "server/discover") {
    return jsonRpcError(
      id,
      METHOD_NOT_FOUND,
      "Method not found: server/discover (this endpoint speaks MCP 2025-11-25: send initialize)",
    );
  }
  return jsonRpcError(id, INVALID_REQUEST, `Bad Request: no MCP session: send initialize before ${method}`);
}
