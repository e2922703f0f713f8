/**
 * The last lines of `pnpm bench`: the ratios the issue sets targets for. Throughput ratios come from the
 * vitest bench report just written (medians, which the noise of a shared machine moves least); heap bytes
 * per finished task and the longest event-loop block of a clean-up come from probes run in fresh processes.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

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
/** The fastest sample: what a batch costs when nothing else on the machine got in its way. */
const fastest = (name: string): number => result(name).min;

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

// Time per batch of lifecycles: a ratio above 1 means RefCache is faster.
const refcache = median("RefCache");
const vsSdk = median("SDK InMemoryTaskStore") / refcache;
const vsMap = median("Map") / refcache;
const vsSdkFastest = fastest("SDK InMemoryTaskStore") / fastest("RefCache");
const getSpeedup = median("structuredClone") / median("RefCache get");

const bytes = Object.fromEntries(
  ["RefCache", "SDK InMemoryTaskStore", "Map"].map((name) => [
    name,
    probe<{ bytesPerTask: number }>("footprint.ts", name).bytesPerTask,
  ]),
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
  `lifecycle: ${fmt(vsSdk)}× SDK InMemoryTaskStore, ${fmt(vsMap)}× Map (medians; fastest batches ${fmt(vsSdkFastest)}× SDK) (target ≥ 1.0× SDK, stretch 1.5×: ${mark(vsSdk >= 1)})`,
);
console.log(
  `bytes/finished task: ${refBytes} (target ≤ 600: ${mark(refBytes <= 600)}; SDK ${bytes["SDK InMemoryTaskStore"]}, Map ${bytes.Map})`,
);
const blockKind = cleanup.cpuClock ? "main-thread CPU in one loop turn" : "wall time of one loop turn";
console.log(
  `cleanup max block: ${fmt(cleanup.maxBlockMs, 1)} ms ${blockKind}, ${cleanup.tasks} finished tasks in ${cleanup.cleanupMs} ms (target ≤ 10: ${mark(cleanup.maxBlockMs <= 10)}; longest wall gap ${fmt(cleanup.maxWallGapMs, 1)} ms, longest GC pause ${fmt(cleanup.maxGcPauseMs, 1)} ms)`,
);
console.log(`1 MB get: ${fmt(getSpeedup, 1)}× faster than structuredClone (target ≥ 3×: ${mark(getSpeedup >= 3)})`);
