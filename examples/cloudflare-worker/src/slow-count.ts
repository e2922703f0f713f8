/**
 * The harness's `slow_count` work (copied from apps/harness/src/tools.ts): counts to `to`, one step every
 * `delayMs`, reporting progress after each step, and stops as soon as its signal aborts.
 */
import { ANONYMOUS_OWNER, type RefCache } from "@mcp-refcache/core";
import * as z from "zod";

export interface WorkContext {
  signal: AbortSignal;
  reportProgress(update: { current?: number; total?: number; message?: string }): Promise<unknown>;
}

export const SlowCountInput = z.strictObject({
  to: z.number().int().min(1).max(10_000).default(20),
  delayMs: z.number().int().min(0).max(60_000).default(250),
});
export type SlowCountArgs = z.output<typeof SlowCountInput>;

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export async function slowCount({ to, delayMs }: SlowCountArgs, { signal, reportProgress }: WorkContext) {
  await reportProgress({ current: 0, total: to, message: "starting" });
  for (let step = 1; step <= to; step++) {
    await sleep(delayMs, signal);
    await reportProgress({ current: step, total: to, message: `counted ${step} of ${to}` });
  }
  return { count: to };
}

/** Names a count whose stop is recorded, so a client can see when a cancel reached the work. */
export const AbortLabel = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/**
 * Runs `work`; with a `label`, stores `{ abortedAt }` under `slow-count.aborted.<label>` the moment
 * `signal` aborts (before the work settles, so the write is kept alive with it). The record belongs to
 * the anonymous owner, the only client of this Worker: stored without an owner it would be server-only.
 */
export async function recordAbort<T>(
  cache: RefCache,
  label: string | undefined,
  signal: AbortSignal,
  work: () => Promise<T>,
): Promise<T> {
  let record: Promise<unknown> | undefined;
  if (label !== undefined) {
    signal.addEventListener("abort", () => {
      record = cache
        .set(`slow-count.aborted.${label}`, { abortedAt: Date.now() }, { owner: ANONYMOUS_OWNER })
        .catch(() => undefined);
    });
  }
  try {
    return await work();
  } finally {
    await record;
  }
}
