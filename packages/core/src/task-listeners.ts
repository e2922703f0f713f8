/**
 * The `onTaskChange` listeners of one cache: each told a copy of a task's public view after every change,
 * a listener's throw or rejection kept from the write that triggered it and from the other listeners.
 */
import { ValidationError } from "./errors.js";
import type { TaskInfo } from "./models.js";
import type { TaskListener } from "./task-options.js";
import type { ReadonlyStoredTask } from "./task-store.js";
import { toTaskInfo } from "./task-writer.js";

export class TaskListeners {
  readonly #listeners = new Set<TaskListener>();
  /**
   * Changes made while listeners are being told of another (a listener that writes, say cancels, runs its
   * write at once over an in-process store): told after it, in order, so no listener hears a newer state
   * before an older one.
   */
  readonly #queued: TaskInfo[] = [];
  #emitting = false;

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

  /** Tells every listener of `task` as it is now (`now`: the reader's time, for an expired result). */
  emit(task: ReadonlyStoredTask, now: () => number): void {
    if (this.#listeners.size === 0) return;
    const info = toTaskInfo(task, now());
    if (this.#emitting) {
      this.#queued.push(info);
      return;
    }
    this.#emitting = true;
    try {
      this.#tell(info);
      // Grows while it is read: a change queued by a listener told of a queued one is told after it.
      for (let i = 0; i < this.#queued.length; i++) this.#tell(this.#queued[i] as TaskInfo);
    } finally {
      this.#queued.length = 0;
      this.#emitting = false;
    }
  }

  #tell(info: TaskInfo): void {
    for (const listener of this.#listeners) {
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
