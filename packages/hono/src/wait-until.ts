/**
 * Keeps work alive after the response on runtimes that would stop it (Cloudflare Workers and other
 * serverless hosts). Hono's `c.executionCtx` throws where there is none (Node, Bun, Deno), so the
 * access is guarded; there the work simply goes on in the running process.
 */
import type { Context } from "hono";

/** Hands `promise` to the request's `executionCtx.waitUntil`; returns whether the runtime offers one. */
export function keepAlive(c: Context, promise: Promise<unknown>): boolean {
  let executionCtx: { waitUntil?: (promise: Promise<unknown>) => void } | undefined;
  try {
    executionCtx = c.executionCtx;
  } catch {
    return false;
  }
  if (typeof executionCtx?.waitUntil !== "function") return false;
  executionCtx.waitUntil(promise);
  return true;
}
