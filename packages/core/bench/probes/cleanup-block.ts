/**
 * The longest the event loop stays blocked while the periodic clean-up removes 100 000 finished tasks
 * (and, their TTL passed too, their 100 000 results). A setImmediate chain notes the gap between turns
 * of the loop; the longest gap is the longest block. On a machine shared with other busy processes a gap
 * also holds the time the OS ran them instead, so where Linux tells a thread's own CPU time
 * (/proc/thread-self/schedstat) the block is the main thread's CPU time within the turn, and the wall gap
 * is reported beside it. The heap is collected first, so the clean-up does not pay for the garbage its
 * setup left; GC pauses during the clean-up still count (they run on the main thread), and are reported.
 * Run by report.ts as `node --expose-gc --import tsx`. Prints one JSON line:
 * { tasks, maxBlockMs, maxWallGapMs, cpuClock, cleanupMs, maxGcPauseMs }.
 */
import { readFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";
import { RefCache } from "../../src/index.js";

const TASKS = 100_000;
const BATCH = 1_000;

let time = 1_700_000_000_000;
const clock = { now: () => time };
const cache = new RefCache({ clock, taskCleanupIntervalMs: 25, taskRetentionMs: 60_000, defaultTtlMs: 60_000 });
const taskStore = cache.taskStore as unknown as { size: number };
const store = cache.store as unknown as { size: number };

for (let start = 0; start < TASKS; start += BATCH) {
  await Promise.all(
    Array.from({ length: BATCH }, (_, i) =>
      cache.registerTask(`task-${start + i}`, Promise.resolve({ row: start + i })),
    ),
  );
}
while (store.size < TASKS) await new Promise((resolve) => setTimeout(resolve, 5));
if (taskStore.size !== TASKS) throw new Error(`expected ${TASKS} tasks, found ${taskStore.size}`);

(globalThis as { gc?: () => void }).gc?.();

let maxGcPauseMs = 0;
const gcWatch = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) maxGcPauseMs = Math.max(maxGcPauseMs, entry.duration);
});
gcWatch.observe({ entryTypes: ["gc"] });

/** CPU time of this thread (ms), or `undefined` where the OS does not tell it. */
function threadCpuMs(): number | undefined {
  try {
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e6;
  } catch {
    return undefined;
  }
}

let maxBlockMs = 0;
let maxWallGapMs = 0;
let probing = true;
let last = performance.now();
let lastCpu = threadCpuMs();
const probe = () => {
  const now = performance.now();
  const cpu = threadCpuMs();
  const wall = now - last;
  maxWallGapMs = Math.max(maxWallGapMs, wall);
  maxBlockMs = Math.max(maxBlockMs, cpu === undefined || lastCpu === undefined ? wall : Math.min(wall, cpu - lastCpu));
  last = now;
  lastCpu = cpu;
  if (probing) setImmediate(probe);
};
setImmediate(probe);

time += 3_600_000; // past the retention of every task and the TTL of every result
const started = performance.now();
while (taskStore.size > 0 || store.size > 0) await new Promise((resolve) => setTimeout(resolve, 5));
const cleanupMs = performance.now() - started;
probing = false;
gcWatch.disconnect();
await cache.close();
console.log(
  JSON.stringify({
    tasks: TASKS,
    maxBlockMs: Number(maxBlockMs.toFixed(2)),
    maxWallGapMs: Number(maxWallGapMs.toFixed(2)),
    cpuClock: lastCpu !== undefined,
    cleanupMs: Math.round(cleanupMs),
    maxGcPauseMs: Number(maxGcPauseMs.toFixed(2)),
  }),
);
