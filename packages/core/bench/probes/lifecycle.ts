/**
 * Task lifecycle cost of one subject (argv[2]) at N tasks (argv[3]), measured cold, as a server meets it:
 * a fresh process loads the subject's module, builds the subject and runs N lifecycles back to back
 * (register → 3× progress → complete → read), holding all N tasks to the end: no warm-up and no reset,
 * so first-use costs (JIT, schema compilation, lazily built tables) and the growing heap with its
 * collections all count. The timed span starts before the subject is built and ends after the last
 * lifecycle; the module load is timed apart (it is paid once per process, whatever N). Both the CPU time of
 * this process (its GC threads included) and the wall time are summed: on a machine shared with other busy
 * processes the wall time also holds the time they ran instead, the CPU time does not.
 * With `--gc` as argv[4] it also sums the GC pauses (a PerformanceObserver) and tells each thread's CPU
 * time (Linux), for the breakdown in bench/README.md; report.ts runs leave both off. Run by report.ts as `node --expose-gc --import tsx`. Prints one JSON line:
 * { subject, n, loadMs, loadCpuMs, ms, cpuMs, marks: [{ at, ms, cpuMs }], bytesPerTask, gcMs?, threads? }.
 */
import { readdirSync, readFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";
import { loadSubject, subjectArg } from "../subjects.js";

const name = subjectArg(process.argv[2]);
const n = Number(process.argv[3] ?? 10_000);
const watchGc = process.argv[4] === "--gc";
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

const loadCpu = process.cpuUsage();
const loadStart = performance.now();
const makeSubject = await loadSubject(name);
const loadMs = performance.now() - loadStart;
const loadCpuMs = cpuMsSince(loadCpu);

gc();
const heapBefore = process.memoryUsage().heapUsed;
let gcMs = 0;
const gcWatch = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
});
if (watchGc) gcWatch.observe({ entryTypes: ["gc"] });

/**
 * CPU ms of each thread of this process by name (Linux /proc; empty elsewhere): with `--gc`, where the
 * time went besides the main thread (V8's compiler and GC helper threads, the loader's worker).
 */
function threadCpuMs(): Map<string, number> {
  const byName = new Map<string, number>();
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
      const key = tid === String(process.pid) ? "main" : name;
      byName.set(key, (byName.get(key) ?? 0) + ticks * 10);
    }
  } catch {
    // Not Linux: no per-thread figures.
  }
  return byName;
}
const threadsBefore = watchGc ? threadCpuMs() : new Map<string, number>();

/** Cumulative time at 1, 10, 100, 1 000, … lifecycles: where a cold start's cost lands. */
const marks: { at: number; ms: number; cpuMs: number }[] = [];
const cpu = process.cpuUsage();
const started = performance.now();
const subject = makeSubject();
let nextMark = 1;
for (let i = 1; i <= n; i++) {
  await subject.lifecycle();
  if (i === nextMark) {
    marks.push({ at: i, ms: performance.now() - started, cpuMs: cpuMsSince(cpu) });
    nextMark *= 10;
  }
}
const ms = performance.now() - started;
const cpuMs = cpuMsSince(cpu);
if (watchGc) await new Promise((resolve) => setTimeout(resolve, 10)); // GC entries arrive a turn later
gcWatch.disconnect();

const threads = watchGc
  ? Object.fromEntries([...threadCpuMs()].map(([key, ms]) => [key, ms - (threadsBefore.get(key) ?? 0)]))
  : undefined;
const held = subject.size();
if (held !== n) throw new Error(`${name} holds ${held} tasks, expected ${n}`);
gc();
const bytesPerTask = Math.round((process.memoryUsage().heapUsed - heapBefore) / n);
console.log(
  JSON.stringify({
    subject: name,
    n,
    loadMs,
    loadCpuMs,
    ms,
    cpuMs,
    marks,
    bytesPerTask,
    ...(watchGc ? { gcMs, threads } : {}),
  }),
);
