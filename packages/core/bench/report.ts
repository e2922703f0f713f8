/**
 * The last lines of `pnpm bench`: the ratios the issue sets targets for. Lifecycle throughput, heap bytes
 * per finished task and the longest event-loop block of a clean-up come from probes run in fresh
 * processes; the 1 MB read and the 10 MB preview and paging from the vitest bench report just written
 * (medians).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SUBJECT_NAMES } from "./subjects.js";

interface BenchResult {
  name: string;
  median: number;
  min: number;
}
interface BenchReport {
  files: { groups: { fullName: string; benchmarks: BenchResult[] }[] }[];
}

const reportPath = process.argv[2];
if (reportPath === undefined) throw new Error("usage: report.ts <vitest bench --outputJson file>");
const report = JSON.parse(readFileSync(reportPath, "utf8")) as BenchReport;
const benchmarks = report.files.flatMap((file) => file.groups.flatMap((group) => group.benchmarks));

function result(name: string): BenchResult {
  const found = benchmarks.find((b) => b.name === name);
  if (found === undefined) throw new Error(`no benchmark named "${name}" in ${reportPath}`);
  return found;
}
const median = (name: string): number => result(name).median;

const coreDir = fileURLToPath(new URL("..", import.meta.url));

/** Runs a probe in a fresh Node process and returns the JSON it prints last. */

function probe<T>(file: string, ...args: string[]): T {
  const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", `bench/probes/${file}`, ...args], {
    cwd: coreDir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return JSON.parse(out.trim().split("\n").at(-1) as string) as T;
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);
const mark = (ok: boolean) => (ok ? "met" : "MISSED");

/**
 * Lifecycle throughput: each subject runs LIFECYCLE_RUNS times in a process of its own, the subjects
 * taking turns in rotating order, so a busy spell of the machine falls on all of them alike. Throughput
 * is all of a subject's lifecycles over all of the CPU time its runs took (wall time is printed beside
 * it: it also counts the time other processes ran instead). A ratio above 1 means RefCache is faster.
 */
const LIFECYCLE_RUNS = 5;
const LIFECYCLE_RUN_MS = 1_200;
const totals = new Map<string, { lifecycles: number; ms: number; cpuMs: number }>();
for (let run = 0; run < LIFECYCLE_RUNS; run++) {
  for (let i = 0; i < SUBJECT_NAMES.length; i++) {
    const name = SUBJECT_NAMES[(run + i) % SUBJECT_NAMES.length] as string;
    const measured = probe<{ lifecycles: number; ms: number; cpuMs: number }>(
      "lifecycle.ts",
      name,
      String(LIFECYCLE_RUN_MS),
    );
    const total = totals.get(name) ?? { lifecycles: 0, ms: 0, cpuMs: 0 };
    total.lifecycles += measured.lifecycles;
    total.ms += measured.ms;
    total.cpuMs += measured.cpuMs;
    totals.set(name, total);
  }
}
/** µs of CPU (or of wall time) per lifecycle. */
function micros(name: string, clock: "cpuMs" | "ms" = "cpuMs"): number {
  const total = totals.get(name) as { lifecycles: number; ms: number; cpuMs: number };
  return (total[clock] / total.lifecycles) * 1000;
}
const vsSdk = micros("SDK InMemoryTaskStore") / micros("RefCache");
const vsMap = micros("Map") / micros("RefCache");
const vsSdkWall = micros("SDK InMemoryTaskStore", "ms") / micros("RefCache", "ms");
const getSpeedup = median("structuredClone") / median("RefCache get");

const bytes = Object.fromEntries(
  SUBJECT_NAMES.map((name) => [name, probe<{ bytesPerTask: number }>("footprint.ts", name).bytesPerTask]),
) as Record<string, number>;
const cleanup = probe<{
  tasks: number;
  maxBlockMs: number;
  maxWallGapMs: number;
  cpuClock: boolean;
  cleanupMs: number;
  maxGcPauseMs: number;
}>("cleanup-block.ts");
const refBytes = bytes.RefCache as number;

console.log("");
console.log(
  `lifecycle: ${fmt(vsSdk)}× SDK InMemoryTaskStore, ${fmt(vsMap)}× Map (CPU µs per lifecycle ${fmt(micros("RefCache"))} / ${fmt(micros("SDK InMemoryTaskStore"))} / ${fmt(micros("Map"))} over ${LIFECYCLE_RUNS} runs each; by wall time ${fmt(vsSdkWall)}× SDK) (target ≥ 1.0× SDK: ${mark(vsSdk >= 1)}; stretch 1.5×: ${vsSdk >= 1.5 ? "reached" : "not reached"})`,
);
console.log(
  `bytes/finished task: ${refBytes} (target ≤ 600: ${mark(refBytes <= 600)}; SDK ${bytes["SDK InMemoryTaskStore"]}, Map ${bytes.Map})`,
);
const blockKind = cleanup.cpuClock ? "main-thread CPU in one loop turn" : "wall time of one loop turn";
console.log(
  `cleanup max block: ${fmt(cleanup.maxBlockMs, 1)} ms ${blockKind}, ${cleanup.tasks} finished tasks in ${cleanup.cleanupMs} ms (target ≤ 10: ${mark(cleanup.maxBlockMs <= 10)}; longest wall gap ${fmt(cleanup.maxWallGapMs, 1)} ms, longest GC pause ${fmt(cleanup.maxGcPauseMs, 1)} ms)`,
);
console.log(`1 MB get: ${fmt(getSpeedup, 1)}× faster than structuredClone (target ≥ 3×: ${mark(getSpeedup >= 3)})`);

// A 10 MB value handed out in pieces (paging.bench.ts): each run cold, on a new RefCache over the same store.
const previewRatio = median("RefCache preview 10 MB (cold)") / median("JSON.parse 10 MB");
const pagingRatio = median("RefCache page 10 MB to the end (cold, 20,000-char pages)") / median("RefCache get 10 MB");
console.log(
  `10 MB preview: ${fmt(previewRatio)}× one JSON.parse of its text (target ≤ 2×: ${mark(previewRatio <= 2)})`,
);
console.log(
  `10 MB paged to the end (20,000-char pages, memory store): ${fmt(pagingRatio)}× one full get (target ≤ 3×: ${mark(pagingRatio <= 3)})`,
);
