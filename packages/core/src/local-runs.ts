/**
 * The part of a task that cannot be shared: the work running in this process, its AbortController and
 * its handle's `cancel`. Runs here renew their leases, finish the task when their work settles, and are
 * aborted when the task ends in any other way (a cancel on any instance, a finish from outside, close).
 */
import type { CacheContext } from "./cache-context.js";
import { errorMessage, RefCacheError } from "./errors.js";
import { isTerminalStatus } from "./models.js";
import { isThenable } from "./task-input.js";
import type { StoredTask } from "./task-store.js";
import type { TaskWriter } from "./task-writer.js";
import type { ValueCache } from "./value-cache.js";

export interface LocalRun {
  readonly refId: string;
  readonly runId: string;
  readonly abortController: AbortController | undefined;
  readonly cancel: ((reason: unknown) => unknown) | undefined;
  /** Whether the work's own promise has settled (then there is nothing left to abort). */
  settled: boolean;
}

/** Pauses before retrying a result write that failed on the store: 100 ms doubling to 5 s. */
const RETRY_DELAYS_MS = [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000];

const sleep = (ms: number) => new Promise((resolve) => globalThis.setTimeout(resolve, ms));

export class LocalRuns {
  readonly #ctx: CacheContext;
  readonly #writer: TaskWriter;
  readonly #values: ValueCache;
  readonly #runs = new Map<string, LocalRun>();
  /** Real time (not the cache's clock) at which this process last showed it is alive: a run added or a renewal. */
  #aliveAt = 0;

  constructor(context: CacheContext, writer: TaskWriter, values: ValueCache) {
    this.#ctx = context;
    this.#writer = writer;
    this.#values = values;
  }

  get size(): number {
    return this.#runs.size;
  }

  add(run: LocalRun): void {
    this.#runs.set(run.refId, run);
    this.#aliveAt = Date.now();
  }

  /**
   * Whether the runs here are still being looked after: the heartbeat fired (or a run was added) within
   * one lease, in real time. A runtime that dropped the work (a Worker past its budget) stops firing it.
   */
  get alive(): boolean {
    return Date.now() - this.#aliveAt < this.#ctx.taskLeaseMs;
  }

  /** The run of `task` in this process, if this process runs exactly that run. */
  runOf(task: StoredTask): LocalRun | undefined {
    const run = this.#runs.get(task.refId);
    return run !== undefined && run.runId === task.runId ? run : undefined;
  }

  /**
   * Call after learning `task`'s stored state: when it ended (from anywhere) while its work runs here, the
   * work is stopped. `reason` is the caller's own cancel reason, when the cancel was made here.
   */
  observe(task: StoredTask, reason?: unknown): void {
    if (!isTerminalStatus(task.status)) return;
    const run = this.runOf(task);
    if (run === undefined) return;
    this.#runs.delete(task.refId);
    if (run.settled) return;
    const why = reason ?? (task.status === "cancelled" ? (task.error ?? "cancelled") : `task ${task.status}`);
    try {
      if (run.abortController !== undefined && !run.abortController.signal.aborted) run.abortController.abort(why);
      if (task.status === "cancelled") {
        const outcome = run.cancel?.(why);
        if (isThenable(outcome)) Promise.resolve(outcome).then(undefined, () => {});
      }
    } catch {
      // The task has ended whatever its own clean-up does; an error there is the work's to report.
    }
  }

  /** Finishes the task when its work settles, unless it ended otherwise meanwhile. */
  settleWhenDone(run: LocalRun, work: PromiseLike<unknown>, ttlMs: number | null | undefined, owner?: string): void {
    Promise.resolve(work).then(
      (value) => this.#finish(run, { ok: true, value }, ttlMs, owner),
      (error: unknown) => this.#finish(run, { ok: false, error }, ttlMs, owner),
    );
  }

  async #finish(
    run: LocalRun,
    outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
    ttlMs: number | null | undefined,
    owner: string | undefined,
  ): Promise<void> {
    run.settled = true;
    for (let attempt = 0; ; attempt++) {
      if (this.#ctx.closed || this.#runs.get(run.refId) !== run) return;
      try {
        await this.#writeOutcome(run, outcome, ttlMs, owner);
        return;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        // Refusals (stale run, finished meanwhile, closed) end it; a failing store is retried for a while.
        if (!RefCacheError.isInstance(error, "STORE_ERROR") || delay === undefined) return;
        await sleep(delay);
      }
    }
  }

  async #writeOutcome(
    run: LocalRun,
    outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
    ttlMs: number | null | undefined,
    owner: string | undefined,
  ): Promise<void> {
    const guard = { runId: run.runId };
    if (!outcome.ok) {
      await this.#writer.write(run.refId, guard, (cur) => ({
        task: this.#writer.transition(cur, "failed", errorMessage(outcome.error)),
      }));
      return;
    }
    let failure: string | undefined;
    await this.#writer.write(run.refId, guard, (cur) => {
      let result: ReturnType<ValueCache["entryFor"]>;
      try {
        result = this.#values.entryFor(run.refId, outcome.value, ttlMs === undefined ? cur.resultTtlMs : ttlMs, owner);
      } catch (error) {
        failure = `result could not be stored: ${errorMessage(error)}`;
        return { task: this.#writer.transition(cur, "failed", failure) };
      }
      const task = this.#writer.transition(cur, "complete");
      if (result.expiresAt !== undefined) task.resultExpiresAt = result.expiresAt;
      return { task, result };
    });
  }

  /** Renews the lease of every run here; a run whose task ended elsewhere is stopped instead. */
  async renewLeases(): Promise<void> {
    this.#aliveAt = Date.now();
    await Promise.all(
      [...this.#runs.values()].map((run) =>
        this.#writer
          .write(
            run.refId,
            { runId: run.runId, leaseOnly: true },
            (cur) => {
              if (isTerminalStatus(cur.status)) throw new Error("finished");
              return { task: { ...cur, leaseExpiresAt: this.#ctx.now() + this.#ctx.taskLeaseMs } };
            },
            (cur) => this.observe(cur),
          )
          .catch(() => {
            // Finished, replaced or unreachable: the next renewal (or the work's end) sorts it out.
          }),
      ),
    );
  }

  /** Cancels every run here in the store and aborts its work (for `close()`). */
  async cancelAll(reason: string): Promise<void> {
    await Promise.all(
      [...this.#runs.values()].map(async (run) => {
        try {
          await this.#writer.write(run.refId, { runId: run.runId, whileClosing: true }, (cur) => ({
            task: this.#writer.transition(cur, "cancelled", reason),
          }));
        } catch {
          // Ended elsewhere or the store is gone: the work is aborted below all the same.
        }
        if (this.#runs.get(run.refId) === run) {
          this.observe({ refId: run.refId, runId: run.runId, status: "cancelled" } as StoredTask, reason);
        }
      }),
    );
  }
}
