import { z } from "zod";
import { parseOrThrow } from "./errors.js";
import { RefIdSchema, type TaskInfo, TtlSchema } from "./models.js";
import type { RefCache, TaskContext } from "./ref-cache.js";

export const TimeoutFallbackOptionsSchema = z.strictObject({
  /** How long the caller waits for the work before it gets a pending reference instead (ms). */
  timeoutMs: z.number().int().nonnegative(),
  /** The ref id to track the work under; defaults to `cache.newRefId()`. */
  refId: RefIdSchema.optional(),
  /** Time to live of the result in the cache (ms); defaults to the cache's `defaultTtlMs`. */
  ttlMs: TtlSchema.optional(),
});
export type TimeoutFallbackOptions = z.input<typeof TimeoutFallbackOptionsSchema>;

/** Either the value, when the work finished in time, or a reference to poll. */
export type TimeoutFallbackResult<T> =
  | { status: "complete"; refId: string; value: T }
  | { status: "pending"; refId: string; task: TaskInfo };

/**
 * Runs `work` as a task of `cache` and waits up to `timeoutMs` for it.
 *
 * - Finished in time: resolves to `{ status: "complete", value }` (the value is also stored under
 *   `refId`), or rejects with the work's own error.
 * - Still running: resolves to `{ status: "pending", refId, task }` at once; the work goes on, and its
 *   result lands under `refId` (poll `cache.getTaskStatus(refId)`, then `cache.get(refId)`).
 */
export async function runWithTimeoutFallback<T>(
  cache: RefCache,
  work: (context: TaskContext) => T | PromiseLike<T>,
  options: TimeoutFallbackOptions,
): Promise<TimeoutFallbackResult<Awaited<T>>> {
  const parsed = parseOrThrow(TimeoutFallbackOptionsSchema, options, "timeout fallback options");
  const { timeoutMs, ttlMs } = parsed;
  const refId = parsed.refId ?? cache.newRefId();

  type Outcome = { kind: "done"; value: Awaited<T> } | { kind: "error"; error: unknown } | { kind: "timeout" };
  let settle!: (outcome: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => {
    settle = resolve;
  });

  await cache.registerTask(
    refId,
    async (context: TaskContext) => {
      try {
        const value = await work(context);
        settle({ kind: "done", value });
        return value;
      } catch (error) {
        settle({ kind: "error", error });
        throw error;
      }
    },
    ttlMs === undefined ? {} : { ttlMs },
  );

  const timer = globalThis.setTimeout(() => settle({ kind: "timeout" }), timeoutMs);
  const result = await outcome;
  globalThis.clearTimeout(timer);

  if (result.kind === "done") return { status: "complete", refId, value: result.value };
  if (result.kind === "error") throw result.error;
  const task = cache.getTaskStatus(refId);
  // The task cannot vanish while it runs: only finished tasks are cleaned up.
  return { status: "pending", refId, task: task as TaskInfo };
}
