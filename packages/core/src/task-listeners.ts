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

  /** How many changes `emit` was given: a listener that writes at once adds one before the next is told. */
  #emits = 0;

  /**
   * Tells every listener of `task` as it is now (`now`: the reader's time, for an expired result), unless
   * `superseded` says a newer state of its run, or a later run of its id, is known: one written meanwhile (by
   * a listener or subscriber that wrote while told of a change, or by another instance whose change arrived
   * first), which listeners were told of in its turn. So listeners never hear an older state after a newer
   * one. Between two listeners `superseded` is asked again only when another change reached `emit`
   * meanwhile (a listener wrote at once): one store read per change, not one per listener.
   */
  emit(task: ReadonlyStoredTask, now: () => number, superseded: (task: ReadonlyStoredTask) => boolean): void {
    const at = ++this.#emits;
    if (this.#listeners.size === 0 || superseded(task)) return;
    const info = toTaskInfo(task, now());
    let first = true;
    for (const listener of this.#listeners) {
      if (!first && this.#emits !== at && superseded(task)) return;
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
