/**
 * The memory task store's index of finished tasks by finish time (store clock), so `removeFinished`
 * takes the oldest first without a scan. Marks are the stored objects themselves (one array slot each);
 * a mark whose object is no longer the one stored under its id is stale and skipped.
 */
import type { StoredTask } from "./task-store.js";

export class FinishedMarks {
  /** Finished tasks in the order they finished. */
  #finished: StoredTask[] = [];
  #finishedHead = 0;
  /**
   * When they finished, on the store's clock, as runs: marks from `#runStarts[k]` up to the next run's
   * start finished at `#runTimes[k]`. Times never decrease (a clock that went back counts as standing
   * still, so a task is never removed early), and a run costs two slots only when the time moved: nothing
   * per task while many finish within one millisecond.
   */
  #runStarts: number[] = [];
  #runTimes: number[] = [];
  #runHead = 0;

  /** Marks `task` finished at `now`; a new run of time only when the clock moved on. */
  mark(task: StoredTask, now: number): void {
    const times = this.#runTimes;
    this.#finished.push(task);
    if (times.length === 0 || now > (times[times.length - 1] as number)) {
      this.#runStarts.push(this.#finished.length - 1);
      times.push(now);
    }
  }

  /**
   * Takes up to `limit` marks of tasks that finished at or before `finishedBefore`, oldest first, and
   * returns the ids of those `isCurrent` accepts (the store removes them); stale marks are dropped.
   */
  take(finishedBefore: number, limit: number, isCurrent: (mark: StoredTask) => boolean): string[] {
    const taken: string[] = [];
    const marks = this.#finished;
    const starts = this.#runStarts;
    const times = this.#runTimes;
    while (taken.length < limit && this.#finishedHead < marks.length) {
      while (this.#runHead + 1 < starts.length && (starts[this.#runHead + 1] as number) <= this.#finishedHead) {
        this.#runHead++;
      }
      if ((times[this.#runHead] as number) > finishedBefore) break;
      const mark = marks[this.#finishedHead] as StoredTask;
      this.#finishedHead++;
      if (isCurrent(mark)) taken.push(mark.refId);
    }
    if (this.#finishedHead > 1024 && this.#finishedHead * 2 > marks.length) {
      const head = this.#finishedHead;
      this.#finished = marks.slice(head);
      this.#runStarts = starts.slice(this.#runHead).map((start) => Math.max(0, start - head));
      this.#runTimes = times.slice(this.#runHead);
      this.#finishedHead = 0;
      this.#runHead = 0;
    }
    return taken;
  }
}
