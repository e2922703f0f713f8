/**
 * Calls that may finish at once or later: one helper turns a synchronous throw into a rejection, so a
 * function that returns a promise never also throws (callers handle one failure path).
 */

/** `fn()` as a promise: its value (or its promise, as is), or a rejection with what it threw. */
export function promiseFrom<T>(fn: () => T | PromiseLike<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
