/**
 * The `onTaskChange` listeners of one cache: each told a copy of a task's public view after every change,
 * a listener's throw or rejection kept from the write that triggered it and from the other listeners.
 */
import { ValidationError } from "./errors.js";
import type { TaskListener } from "./task-options.js";
import type { ReadonlyStoredTask } from "./task-store.js";
import { toTaskInfo } from "./task-writer.js";

export class TaskListeners {
  readonly #listeners = new Set<TaskListener>();
  /** How many listeners there are. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Adds `listener` (a ValidationError when it is not a function); returns a function that removes it. */
  add(listener: TaskListener): () => void {
    if (typeof listener !== "function") {
      throw ValidationError.single("listener", "listener must be a function", "invalid_type");
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Tells every listener of `task` as it is now (`now`: the reader's time, for an expired result), until
   * `superseded` says a newer state of its run, or a later run, was written meanwhile: a listener that writes
   * at once (say, cancels) has every listener told of that newer state then, so the rest are not told this
   * older one after it.
   */
  emit(task: ReadonlyStoredTask, now: () => number, superseded: (task: ReadonlyStoredTask) => boolean): void {
    if (this.#listeners.size === 0) return;
    const info = toTaskInfo(task, now());
    let first = true;
    for (const listener of this.#listeners) {
      if (!first && superseded(task)) return;
      first = false;
      try {
        const outcome = listener({ ...info, ...(info.progress && { progress: { ...info.progress } }) });
        if (outcome !== null && typeof outcome === "object" && "then" in outcome) {
          Promise.resolve(outcome).then(undefined, () => {});
        }
      } catch {
        // A faulty listener must not break the mutation that triggered it.
      }
    }
  }
}
