/**
 * The part of a task that cannot be shared: the work running in this process, its AbortController and
 * its handle's `cancel`. Runs here renew their leases, finish the task when their work settles, and are
 * aborted when the task ends in any other way (a cancel on any instance, a finish from outside, close) or
 * is superseded by a newer run of its id. A run whose result cannot be written keeps trying while the
 * result would live, then lets its lease run out: never a renewed lease with no work behind it.
 */
import type { CacheContext } from "./cache-context.js";
import { errorMessage, failureReason, RefCacheError, StoreError } from "./errors.js";
import { isTerminalStatus } from "./models.js";
import { monotonicNow } from "./monotonic.js";
import { isThenable } from "./task-input.js";
import { copyStoredTask, type ReadonlyStoredTask } from "./task-store.js";
import type { TaskWriter } from "./task-writer.js";
import type { ValueCache } from "./value-cache.js";

export interface LocalRun {
  readonly refId: string;
  readonly runId: string;
  readonly abortController: AbortController | undefined;
  readonly cancel: ((reason: unknown) => unknown) | undefined;
  /** The store's number of this run of the id (`retryCount`): a later run of the id has a higher one. */
  readonly retryCount: number;
  /** Whether the work's own promise has settled (then there is nothing left to abort). */
  settled: boolean;
}

/** Pauses before retrying a result write that failed on the store: 100 ms doubling to 5 s, then every 5 s. */
const RETRY_DELAYS_MS = [100, 200, 400, 800, 1600, 3200];
const RETRY_MAX_DELAY_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => globalThis.setTimeout(resolve, ms));

export class LocalRuns {
  readonly #ctx: CacheContext;
  readonly #writer: TaskWriter;
  readonly #values: ValueCache;
  readonly #runs = new Map<string, LocalRun>();
  /** Monotonic time (not the cache's clock) at which this process last showed it is alive: a run added or a renewal. */
  #aliveAt = Number.NEGATIVE_INFINITY;

  constructor(context: CacheContext, writer: TaskWriter, values: ValueCache) {
    this.#ctx = context;
    this.#writer = writer;
    this.#values = values;
  }

  get size(): number {
    return this.#runs.size;
  }

  add(run: LocalRun): void {
    const old = this.#runs.get(run.refId);
    // A run of the id still held here ended elsewhere without this instance hearing of it: it stops now.
    if (old !== undefined && old.runId !== run.runId) this.#stop(old, `superseded by run ${run.runId}`, true);
    this.#runs.set(run.refId, run);
    this.#aliveAt = monotonicNow();
  }

  /**
   * Whether the runs here are still being looked after: the heartbeat fired (or a run was added) within
   * one lease, in real time. A runtime that dropped the work (a Worker past its budget) stops firing it.
   */
  get alive(): boolean {
    return monotonicNow() - this.#aliveAt < this.#ctx.taskLeaseMs;
  }

  /** The run of `task` in this process, if this process runs exactly that run. */
  runOf(task: ReadonlyStoredTask): LocalRun | undefined {
    const run = this.#runs.get(task.refId);
    return run !== undefined && run.runId === task.runId ? run : undefined;
  }

  /**
   * Call after learning `task`'s stored state from a change that may arrive late (a store's change feed):
   * when its run here ended (from anywhere), or a later run of the id replaced it, the work is stopped.
   * `reason` is the caller's own cancel reason, when the cancel was made here.
   */
  observe(task: ReadonlyStoredTask, reason?: unknown): void {
    const run = this.#runs.get(task.refId);
    if (run === undefined) return;
    if (run.runId === task.runId) {
      if (isTerminalStatus(task.status)) this.#stop(run, reason ?? endReason(task), task.status === "cancelled");
    } else if (task.retryCount > run.retryCount) {
      this.#stop(run, `superseded by run ${task.runId}`, true);
    }
  }

  /**
   * Call with the task as the store holds it now (read before a write, or written): besides what `observe`
   * stops, a run here whose id now holds another run, whatever its number (the id may have been removed and
   * registered anew), is superseded and stopped at once.
   */
  observeCurrent(task: ReadonlyStoredTask, reason?: unknown): void {
    const run = this.#runs.get(task.refId);
    if (run !== undefined && run.runId !== task.runId) this.#stop(run, `superseded by run ${task.runId}`, true);
    else this.observe(task, reason);
  }

  /** Stops `run`: no longer held (so no longer renewed), its work aborted and, when `cancel`, its handle cancelled. */
  #stop(run: LocalRun, why: unknown, cancel: boolean): void {
    if (this.#runs.get(run.refId) === run) this.#runs.delete(run.refId);
    if (run.settled) return;
    try {
      if (run.abortController !== undefined && !run.abortController.signal.aborted) run.abortController.abort(why);
      if (cancel) {
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

  /**
   * Writes the work's outcome. A failing store is retried (its lease renewed meanwhile: the outcome waiting
   * here is work behind it) for as long as the result would live (its TTL; no TTL: until it lands or the
   * cache closes), each failure told to `onError`. Past that the run is dropped: its lease runs out, and every
   * instance then reads the task as failed "worker lost". Refusals (stale run, finished meanwhile) end it.
   */
  async #finish(
    run: LocalRun,
    outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
    ttlMs: number | null | undefined,
    owner: string | undefined,
  ): Promise<void> {
    run.settled = true;
    // Closing: its outcome is not written, and the run stays held so that close() cancels it (cancelAll),
    // rather than leaving the task running with no work behind it until its lease runs out.
    if (this.#ctx.closed) return;
    const started = monotonicNow();
    const boundMs = ttlMs === undefined ? this.#ctx.defaultTtlMs : ttlMs;
    try {
      for (let attempt = 0; ; attempt++) {
        if (this.#ctx.closed || this.#runs.get(run.refId) !== run) return;
        try {
          await this.#writeOutcome(run, outcome, ttlMs, owner);
          return;
        } catch (error) {
          if (!RefCacheError.isInstance(error, "STORE_ERROR")) return;
          this.#ctx.reportError(error, { refId: run.refId, operation: "result write" });
          const waited = monotonicNow() - started;
          if (boundMs !== null && waited >= boundMs) {
            const message = `Gave up writing the result of "${run.refId}" after ${Math.round(waited)} ms: its lease is left to run out, and the task to end as "worker lost"`;
            this.#ctx.reportError(new StoreError(message, run.refId, error), {
              refId: run.refId,
              operation: "result write",
            });
            return;
          }
          const delay = RETRY_DELAYS_MS[attempt] ?? RETRY_MAX_DELAY_MS;
          await sleep(boundMs === null ? delay : Math.max(1, Math.min(delay, boundMs - waited)));
        }
      }
    } finally {
      // Written, refused or given up: nothing of this run is left here to renew.
      if (this.#runs.get(run.refId) === run) this.#runs.delete(run.refId);
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
      // The reason clients read: a store failure the work met is told as such, never in the driver's words.
      const reason = failureReason(outcome.error);
      await this.#writer.write(run.refId, guard, (cur) => ({
        task: this.#writer.transition(cur, "failed", reason),
      }));
      return;
    }
    let failure: string | undefined;
    await this.#writer.write(run.refId, guard, (cur) => {
      let result: ReturnType<ValueCache["entryFor"]>;
      try {
        result = this.#values.entryFor(
          run.refId,
          outcome.value,
          ttlMs === undefined ? cur.resultTtlMs : ttlMs,
          owner,
          cur.resultExecuteOnly,
        );
      } catch (error) {
        failure = `result could not be stored: ${errorMessage(error)}`;
        return { task: this.#writer.transition(cur, "failed", failure) };
      }
      return { task: this.#writer.completion(cur, result), result };
    });
  }

  /**
   * Renews the lease of every run here; a run whose task ended elsewhere, was replaced by another run or
   * removed is stopped instead. A failing store is told to `onError` and tried again on the next beat.
   */
  async renewLeases(): Promise<void> {
    this.#aliveAt = monotonicNow();
    await Promise.all(
      [...this.#runs.values()].map((run) =>
        this.#writer
          .write(
            run.refId,
            { runId: run.runId, leaseOnly: true },
            (cur) => {
              if (isTerminalStatus(cur.status)) throw new Error("finished");
              const renewed = copyStoredTask(cur);
              renewed.leaseMs = this.#ctx.taskLeaseMs;
              return { task: renewed };
            },
            (cur) => this.observeCurrent(cur),
          )
          .catch((error: unknown) => {
            if (RefCacheError.isInstance(error, "TASK_NOT_FOUND")) this.#stop(run, "task removed", true);
            else if (RefCacheError.isInstance(error, "STORE_ERROR")) {
              this.#ctx.reportError(error, { refId: run.refId, operation: "lease renewal" });
            }
            // Finished or replaced: observeCurrent stopped it.
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
        if (this.#runs.get(run.refId) === run) this.#stop(run, reason, true);
      }),
    );
  }
}

/** Why a run stops when its task ended as `task` says. */
function endReason(task: ReadonlyStoredTask): string {
  // Whole strings, not a template: nothing is built when a run with nothing to abort stops.
  if (task.status === "cancelled") return task.error ?? "cancelled";
  return task.status === "complete" ? "task complete" : "task failed";
}
