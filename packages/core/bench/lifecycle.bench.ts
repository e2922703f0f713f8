/**
 * Task lifecycle throughput, side by side in one run: RefCache against the MCP SDK's InMemoryTaskStore
 * and a bare Map. Each iteration runs a batch of lifecycles so the harness's own per-call cost does not
 * flatten the ratios; `bench/report.ts` prints them after the run.
 */
import { bench, describe } from "vitest";
import { type Subject, type SubjectName, subjects } from "./subjects.js";

/** Lifecycles per benchmark iteration. */
const LIFECYCLE_BATCH = 100;
/** Tasks a subject may hold before it starts afresh. */
const RESET_AFTER = 10_000;

function lifecycleBench(name: SubjectName): void {
  const subject: Subject = subjects[name]();
  let held = 0;
  bench(
    name,
    async () => {
      if (held >= RESET_AFTER) {
        await subject.reset();
        held = 0;
      }
      for (let i = 0; i < LIFECYCLE_BATCH; i++) await subject.lifecycle();
      held += LIFECYCLE_BATCH;
    },
    { time: 1500, warmupTime: 300 },
  );
}

describe(`lifecycle ×${LIFECYCLE_BATCH}: register → 3 progress → complete → status`, () => {
  lifecycleBench("RefCache");
  lifecycleBench("SDK InMemoryTaskStore");
  lifecycleBench("Map");
});
