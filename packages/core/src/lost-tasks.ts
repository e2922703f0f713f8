/**
 * Failing lost workers' tasks: a task whose lease the store says ran out is written `failed` ("worker
 * lost") when a read meets it, when it holds an id being registered again, and by the lease watch and
 * clean-up passes. A run of this process whose lease ran out while it is still looked after (a long pause)
 * renews instead. See liveness.ts for the rule every view applies meanwhile.
 */
import type { CacheContext } from "./cache-context.js";
import type { SharedCreateOutcome } from "./in-process-store.js";
import { leaseRanOut, Unchanged, WORKER_LOST_MESSAGE } from "./liveness.js";
import type { LocalRuns } from "./local-runs.js";
import { isTaskList } from "./store-replies.js";
import { copyStoredTask, type ReadonlyStoredTask, type StoredTask } from "./task-store.js";
import type { TaskWriter } from "./task-writer.js";

const EXPIRED_REPLY = [isTaskList, "listExpiredLeases"] as const;

/** The task holding the id when a creation was refused because of one whose lease ran out. */
export function heldByLost(outcome: SharedCreateOutcome): StoredTask | undefined {
  return !outcome.ok && outcome.reason === "active" && leaseRanOut(outcome.current) ? outcome.current : undefined;
}

export class LostTasks {
  readonly #ctx: CacheContext;
  readonly #writer: TaskWriter;
  readonly #runs: LocalRuns;
  /** Told of a task as read when a write could not land, so the local view reads it as lost. */
  readonly #saw: (task: ReadonlyStoredTask) => void;
  /** The pass in flight (see `reapExpired`), shared by callers that ask meanwhile. */
  #reaping: Promise<void> | undefined;

  constructor(context: CacheContext, writer: TaskWriter, runs: LocalRuns, saw: (task: ReadonlyStoredTask) => void) {
    this.#ctx = context;
    this.#writer = writer;
    this.#runs = runs;
    this.#saw = saw;
  }

  /**
   * Fails `task` as "worker lost" if the store said its lease ran out; a run of this process that is still
   * looked after renews its lease instead. Resolves to the task as stored afterwards; when the write could
   * not land (store away), to the task as read, which every view still reads as lost (see liveness.ts).
   */
  async reapIfLost(task: ReadonlyStoredTask): Promise<ReadonlyStoredTask> {
    if (!leaseRanOut(task)) return task;
    const local = this.#runs.runOf(task) !== undefined && this.#runs.alive;
    try {
      return await this.#writer.write(task.refId, { runId: task.runId }, (cur) => {
        // Someone renewed or finished it meanwhile: nothing to write.
        if (!leaseRanOut(cur)) throw new Unchanged(cur);
        if (!local) return { task: this.#writer.transition(cur, "failed", WORKER_LOST_MESSAGE) };
        const renewed = copyStoredTask(cur);
        renewed.leaseMs = this.#ctx.taskLeaseMs;
        return { task: renewed };
      });
    } catch (error) {
      if (error instanceof Unchanged) return error.task;
      // Closed meanwhile: no store call follows close(); the task as read is what every view reads as lost.
      if (this.#ctx.closed) return task;
      let fresh: ReadonlyStoredTask | undefined;
      try {
        fresh = await this.#writer.read(task.refId);
      } catch {
        fresh = undefined;
      }
      const current = fresh ?? task;
      this.#saw(current);
      return current;
    }
  }

  /**
   * Fails every task the store lists as lost (a chunk of at most `limit`), concurrently. Calls made while
   * a pass runs share it.
   */
  reapExpired(limit: number): Promise<void> {
    this.#reaping ??= (async () => {
      try {
        const lost = await this.#ctx.storeCall(
          undefined,
          () => this.#ctx.taskStore.listExpiredLeases(limit),
          EXPIRED_REPLY,
        );
        if (this.#ctx.closed) return;
        await Promise.all(lost.map((task) => this.reapIfLost(task)));
      } finally {
        this.#reaping = undefined;
      }
    })();
    return this.#reaping;
  }
}
