/**
 * The last lines of `pnpm bench`: the ratios the issues set targets for. Lifecycle cost at 10k, 100k and
 * 1M tasks, heap bytes per finished task and the longest event-loop block of a clean-up come from probes
 * run in fresh processes; the 1 MB read and the 10 MB preview and paging from the vitest bench report just
 * written (medians). How each is measured, and where the time goes: bench/README.md.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
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

/** Without a report file (`tsx bench/report.ts`, after a build) only the probes run: quicker to iterate on. */
const reportPath = process.argv[2];
const benchmarks =
  reportPath === undefined
    ? undefined
    : (JSON.parse(readFileSync(reportPath, "utf8")) as BenchReport).files.flatMap((file) =>
        file.groups.flatMap((group) => group.benchmarks),
      );

function median(name: string): number {
  const found = benchmarks?.find((b) => b.name === name);
  if (found === undefined) throw new Error(`no benchmark named "${name}" in ${reportPath}`);
  return found.median;
}

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
 * Lifecycle cost at N tasks, cold (probes/lifecycle.ts): each run is a fresh process that loads one
 * subject, builds it and runs N lifecycles back to back holding all N tasks, no warm-up, no reset; the
 * subjects take turns in rotating order, so a busy spell of the machine falls on all of them alike. A
 * subject's figure is the CPU time of all its runs at that N (wall time printed beside it: it also
 * counts the time other processes ran instead). Fewer runs at 1,000,000 tasks: one run takes seconds.
 * A ratio above 1 means RefCache is faster.
 */
const loadAtStart = loadavg()[0] as number;
const LIFECYCLE_SIZES = [
  { n: 10_000, runs: 7 },
  { n: 100_000, runs: 3 },
  { n: 1_000_000, runs: 2 },
] as const;
interface ColdRun {
  loadMs: number;
  loadCpuMs: number;
  ms: number;
  cpuMs: number;
}
const lifecycleTotals = LIFECYCLE_SIZES.map(({ n, runs }) => {
  const totals = new Map<string, ColdRun>();
  for (let run = 0; run < runs; run++) {
    for (let i = 0; i < SUBJECT_NAMES.length; i++) {
      const name = SUBJECT_NAMES[(run + i) % SUBJECT_NAMES.length] as string;
      const measured = probe<ColdRun>("lifecycle.ts", name, String(n));
      const total = totals.get(name) ?? { loadMs: 0, loadCpuMs: 0, ms: 0, cpuMs: 0 };
      total.loadMs += measured.loadMs / runs;
      total.loadCpuMs += measured.loadCpuMs / runs;
      total.ms += measured.ms / runs;
      total.cpuMs += measured.cpuMs / runs;
      totals.set(name, total);
    }
  }
  return { n, runs, totals };
});

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
  `machine load (1-minute average) ${fmt(loadAtStart)} at the start of the probes, ${fmt(loadavg()[0] as number)} at their end, on ${availableParallelism()} cores`,
);
const floorBytes = bytes.Map as number;
const bytesRatio = refBytes / floorBytes;
const mean = (name: string, totals: Map<string, ColdRun>): ColdRun => totals.get(name) as ColdRun;
for (const { n, runs, totals } of lifecycleTotals) {
  const [ref, sdk, map] = SUBJECT_NAMES.map((name) => mean(name, totals)) as [ColdRun, ColdRun, ColdRun];
  const vsSdk = sdk.cpuMs / ref.cpuMs;
  console.log(
    `lifecycle at ${n.toLocaleString("en-US")} tasks (fresh process, all held): ${fmt(vsSdk)}× SDK InMemoryTaskStore, ${fmt(map.cpuMs / ref.cpuMs)}× Map (CPU ms per run ${fmt(ref.cpuMs, 1)} / ${fmt(sdk.cpuMs, 1)} / ${fmt(map.cpuMs, 1)}, mean of ${runs}; by wall time ${fmt(sdk.ms / ref.ms)}× SDK) (target ≥ 1.2× SDK: ${mark(vsSdk >= 1.2)})`,
  );
}
const load = (name: string) => mean(name, (lifecycleTotals[0] as (typeof lifecycleTotals)[number]).totals);
console.log(
  `module load, once per process, not in the lines above: RefCache ${fmt(load("RefCache").loadCpuMs, 1)} ms CPU, SDK InMemoryTaskStore ${fmt(load("SDK InMemoryTaskStore").loadCpuMs, 1)} ms CPU`,
);
console.log(
  `bytes/finished task: ${refBytes}, ${fmt(bytesRatio)}× the Map floor (target ≤ 1.2× Map: ${mark(bytesRatio <= 1.2)}; SDK ${bytes["SDK InMemoryTaskStore"]}, Map ${floorBytes})`,
);
const blockKind = cleanup.cpuClock ? "main-thread CPU in one loop turn" : "wall time of one loop turn";
console.log(
  `cleanup max block: ${fmt(cleanup.maxBlockMs, 1)} ms ${blockKind}, ${cleanup.tasks} finished tasks in ${cleanup.cleanupMs} ms (target ≤ 10: ${mark(cleanup.maxBlockMs <= 10)}; longest wall gap ${fmt(cleanup.maxWallGapMs, 1)} ms, longest GC pause ${fmt(cleanup.maxGcPauseMs, 1)} ms)`,
);
if (benchmarks !== undefined) {
  const getSpeedup = median("structuredClone") / median("RefCache get");
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
}
