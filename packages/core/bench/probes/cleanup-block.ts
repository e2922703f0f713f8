/**
 * The longest the event loop stays blocked while the periodic clean-up removes 100 000 finished tasks
 * (and, their TTL passed too, their 100 000 results). A setImmediate chain notes each turn of the loop.
 * On a machine shared with other busy processes a turn's wall time also holds the time the OS ran them
 * instead, so where Linux tells the main thread's own CPU time (/proc/thread-self/schedstat) a turn's
 * block is the smaller of its wall time and that CPU time; the wall gap is reported beside it. Linux
 * updates that figure at scheduler ticks, so a single turn's reading is good to about one tick (4 ms at
 * 250 Hz). The process's CPU time (process.cpuUsage) is no substitute: V8's helper threads sweep the
 * freed heap meanwhile. The heap is collected first, so the clean-up does not pay for the garbage its
 * setup left; GC pauses during the clean-up still count (they run on the main thread), and are reported.
 * Run by report.ts as `node --expose-gc --import tsx`. Prints one JSON line:
 * { tasks, maxBlockMs, maxWallGapMs, cpuClock, cleanupMs, maxGcPauseMs }.
 */
import { openSync, readSync } from "node:fs";
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

/** CPU time of this thread (ms), or `undefined` where the OS does not tell it. Reads into one buffer, so
 * the probe itself allocates nothing per turn (its garbage would add collections to what it measures). */
const schedstat = (() => {
  try {
    return openSync("/proc/thread-self/schedstat", "r");
  } catch {
    return undefined;
  }
})();
const statBuffer = Buffer.alloc(64);
function threadCpuMs(): number | undefined {
  if (schedstat === undefined) return undefined;
  const length = readSync(schedstat, statBuffer, 0, statBuffer.length, 0);
  let ns = 0;
  for (let i = 0; i < length; i++) {
    const digit = (statBuffer[i] as number) - 48;
    if (digit < 0 || digit > 9) break;
    ns = ns * 10 + digit;
  }
  return ns / 1e6;
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
