/**
 * The harness's safety settings, validated once: who may reach it (Host/Origin allow-lists), how long an
 * idle SDK v1 session lives, and how many tasks may run at once. The defaults suit a server bound to
 * localhost; a copy deployed on a public host lists its own names.
 */
import { RefCache, type RefCacheOptions } from "@mcp-refcache/core";
import * as z from "zod";

/** Tasks that may be pending or processing at once; past it, new work gets `CAPACITY_EXCEEDED`. */
export const DEFAULT_MAX_ACTIVE_TASKS = 100;
/** An SDK v1 session that sends nothing for this long is closed (ms). */
export const DEFAULT_SESSION_IDLE_MS = 10 * 60_000;

export const HarnessOptionsSchema = z.strictObject({
  /** Host names `Host` may name (no port); default: localhost names (see `hostOriginGuard`). */
  allowedHosts: z.array(z.string().min(1)).min(1).optional(),
  /** Origins browsers may call from; default: http(s) on an allowed host, any port. */
  allowedOrigins: z.array(z.string().min(1)).optional(),
  /** How long an idle `/mcp-v1` session lives (ms). */
  sessionIdleMs: z.number().int().positive().max(2_147_483_647).default(DEFAULT_SESSION_IDLE_MS),
});
export type HarnessOptions = z.input<typeof HarnessOptionsSchema>;
export type ParsedHarnessOptions = z.output<typeof HarnessOptionsSchema>;

/** `text` as a whole number when it is only decimal digits (at most 9), else `undefined` (`""` is not 0). */
export function wholeNumber(text: string): number | undefined {
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}

/** The harness's cache: `maxActiveTasks` always set, so a flood of slow calls is refused, not queued for days. */
export function createHarnessCache(
  stores: Pick<RefCacheOptions, "store" | "taskStore"> = {},
  maxActiveTasks: number = DEFAULT_MAX_ACTIVE_TASKS,
): RefCache {
  return new RefCache({ name: "harness", maxActiveTasks, ...stores });
}
