/**
 * Task lifecycle throughput of one subject (argv[2]) over argv[3] ms, after a warm-up: rounds of
 * LIFECYCLES, the time summed over all of them, garbage collection included wherever it fell. Both the
 * wall time and the CPU time of this process (its GC threads included) are summed: on a machine shared
 * with other busy processes the wall time also holds the time they ran instead, the CPU time does not.
 * One process per run, so no subject's heap or collections weigh on another's; report.ts alternates the
 * subjects' runs so that what noise is left falls on all of them alike. RefCache is the built package
 * (see `loadBuiltCore`). Run as `node --import tsx`. Prints one JSON line:
 * { subject, lifecycles, ms, cpuMs }.
 */
import { loadBuiltCore, makeSubjects, SUBJECT_NAMES, type SubjectName } from "../subjects.js";

const LIFECYCLES = 200;
/** Tasks a subject may hold before it starts afresh, so no subject pays for an ever-growing heap. */
const RESET_AFTER = 10_000;
const WARMUP_MS = 500;

const name = process.argv[2] as SubjectName;
const durationMs = Number(process.argv[3] ?? 1_000);
if (!SUBJECT_NAMES.includes(name)) throw new Error(`unknown subject ${name}`);
const subject = makeSubjects((await loadBuiltCore()).RefCache)[name];

let held = 0;
let ms = 0;
let cpuMs = 0;
async function round(): Promise<void> {
  if (held >= RESET_AFTER) {
    await subject.reset();
    held = 0;
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < LIFECYCLES; i++) await subject.lifecycle();
  ms += performance.now() - started;
  const used = process.cpuUsage(cpu);
  cpuMs += (used.user + used.system) / 1000;
  held += LIFECYCLES;
}

for (const until = performance.now() + WARMUP_MS; performance.now() < until; ) await round();
ms = 0;
cpuMs = 0;
let lifecycles = 0;
while (ms < durationMs) {
  await round();
  lifecycles += LIFECYCLES;
}
console.log(JSON.stringify({ subject: name, lifecycles, ms, cpuMs }));
