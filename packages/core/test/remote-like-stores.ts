/**
 * The memory stores seen as a remote store would show them: only the asynchronous TaskStore members (no
 * `peek`, no synchronous writes), with or without a change feed, so core takes the paths it takes on
 * Redis or any other shared store.
 */
import type { MemoryTaskStore, TaskStore } from "../src/index.js";

export function remoteLike(inner: MemoryTaskStore, options: { subscribe?: boolean } = {}): TaskStore {
  const store: TaskStore = {
    valueStore: inner.valueStore,
    get: (refId) => inner.get(refId),
    create: (task, createOptions, origin) => inner.create(task, createOptions, origin),
    update: (task, version, result, origin, quiet) => inner.update(task, version, result, origin, quiet),
    list: (query) => inner.list(query),
    listExpiredLeases: (limit) => inner.listExpiredLeases(limit),
    removeFinished: (olderThanMs, limit) => inner.removeFinished(olderThanMs, limit),
  };
  if (options.subscribe === true) store.subscribe = (listener, opts) => inner.subscribe(listener, opts);
  return store;
}
