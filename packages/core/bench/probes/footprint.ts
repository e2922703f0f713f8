/**
 * Heap bytes each finished task keeps, for one subject (argv[2]); run by report.ts as
 * `node --expose-gc --import tsx`, one process per subject so no subject inherits another's heap.
 * Prints one JSON line: { subject, tasks, bytesPerTask }.
 */
import { loadSubject, subjectArg } from "../subjects.js";

const TASKS = 50_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  gc?.();
  gc?.();
}

const name = subjectArg(process.argv[2]);
const subject = (await loadSubject(name))();

// Warm up so code, inline caches and lazily built tables are not counted as task state.
for (let i = 0; i < 5_000; i++) await subject.lifecycle();
await subject.reset();
await settle();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < TASKS; i++) await subject.lifecycle();
await settle();
const after = process.memoryUsage().heapUsed;
const held = subject.size();
if (held !== TASKS) throw new Error(`${name} holds ${held} tasks, expected ${TASKS}`);
console.log(JSON.stringify({ subject: name, tasks: TASKS, bytesPerTask: Math.round((after - before) / TASKS) }));
