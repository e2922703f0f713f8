/**
 * Time within this process that never goes back (ms): for durations this instance measures by itself
 * (how long ago it saw something, when to stop retrying). `performance.now()` where the runtime has it
 * (every supported one does), else `Date.now()`. Never compared across instances.
 */
export function monotonicNow(): number {
  const perf = (globalThis as { performance?: { now?: () => number } }).performance;
  return typeof perf?.now === "function" ? perf.now() : Date.now();
}
