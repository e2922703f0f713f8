/**
 * `hostOriginGuard(options)`: Hono middleware that refuses requests whose `Host` or `Origin` names a host
 * the server does not serve, with 403. It stops DNS rebinding (a page on evil.example whose name resolves
 * to 127.0.0.1 reaching a local server) and cross-site calls from browsers — the MCP spec's Streamable HTTP
 * transport says servers MUST validate `Origin`. By default only localhost names pass: right for a server
 * bound to localhost; a server deployed on a public host lists its own names.
 */
import { parseOrThrow } from "@mcp-refcache/core";
import type { MiddlewareHandler } from "hono";
import * as z from "zod";
import { problemResponse } from "./problem.js";

/** The names a server bound to localhost answers to. */
export const LOCALHOST_NAMES: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)$/, "a host name, an IPv4 address or a bracketed IPv6 address");

export const HostOriginGuardOptionsSchema = z.strictObject({
  /** Host names (no port) a request's `Host` may name; default `LOCALHOST_NAMES`. Compared case-insensitively. */
  allowedHosts: z.array(hostName).min(1).optional(),
  /**
   * Origins (`scheme://host[:port]`, as browsers send them) a request's `Origin` may be; default: `http` or
   * `https` on any allowed host, any port. A request without `Origin` (not sent by a browser) passes.
   */
  allowedOrigins: z
    .array(z.string().regex(/^https?:\/\/[^/?#\s]+$/, "an origin: scheme://host[:port], no path"))
    .optional(),
});
export type HostOriginGuardOptions = z.input<typeof HostOriginGuardOptionsSchema>;

/** The host name of a `Host` header or URL authority (port dropped, lower case), or `undefined` when malformed. */
function hostNameOf(authority: string): string | undefined {
  try {
    return new URL(`http://${authority}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Refuses (403 `FOREIGN_ORIGIN`) a request whose `Host` or `Origin` is not allowed; passes the rest on. */
export function hostOriginGuard(options: HostOriginGuardOptions = {}): MiddlewareHandler {
  const parsed = parseOrThrow(HostOriginGuardOptionsSchema, options, "hostOriginGuard options");
  const hosts = new Set((parsed.allowedHosts ?? LOCALHOST_NAMES).map((h) => h.toLowerCase()));
  const origins = parsed.allowedOrigins === undefined ? undefined : new Set(parsed.allowedOrigins.map(normalOrigin));

  const originAllowed = (origin: string): boolean => {
    const normal = normalOrigin(origin);
    if (origins !== undefined) return origins.has(normal);
    try {
      const url = new URL(normal);
      return (url.protocol === "http:" || url.protocol === "https:") && hosts.has(url.hostname.toLowerCase());
    } catch {
      return false; // "null" (sandboxed frames, file:) and anything malformed
    }
  };

  return async (c, next) => {
    // In-process requests (`app.request`) may carry no Host: the URL's authority stands for it.
    const host = hostNameOf(c.req.header("host") ?? new URL(c.req.url).host);
    const origin = c.req.header("origin");
    const refused =
      host === undefined || !hosts.has(host)
        ? `Host "${c.req.header("host") ?? ""}" is not served here`
        : origin !== undefined && !originAllowed(origin)
          ? `Origin "${origin}" is not allowed`
          : undefined;
    if (refused === undefined) return next();
    return problemResponse({ code: "FOREIGN_ORIGIN", detail: refused, instance: c.req.path });
  };
}

/** An origin as browsers serialise it: lower-case scheme and host, no default port, no trailing slash. */
function normalOrigin(origin: string): string {
  try {
    const url = new URL(origin);
    return url.origin === "null" ? origin : url.origin;
  } catch {
    return origin;
  }
}
