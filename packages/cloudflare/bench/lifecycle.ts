/**
 * `pnpm bench`: task lifecycles per second on workerd, the Durable Object stores beside the memory stores
 * in the same runtime, as a ratio; and where a Durable Object lifecycle's time goes. Each batch runs in one
 * request; its time is measured from outside (less an empty request's), since workerd's own clock stands
 * still between I/O.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleWorker, freePort, startWorkerd, workerdBinary, workerdDir } from "../test/workerd-process.js";

/** Lifecycles per batch: the memory stores need many more for the batch to outweigh an HTTP round trip. */
const N = { do: 400, memory: 40_000 } as const;
const IN_FLIGHT = 16;
const ROUNDS = 3;

if ("missing" in workerdBinary()) {
  console.log("cloudflare bench skipped: workerd is not installed");
  process.exit(0);
}
const dir = await workerdDir("bench");
await bundleWorker(fileURLToPath(new URL("./lifecycle-worker.ts", import.meta.url)), join(dir, "worker.js"));
const workerd = await startWorkerd({
  dir,
  port: await freePort(),
  ...(process.env.BENCH_STATE_DIR === undefined ? {} : { stateDir: process.env.BENCH_STATE_DIR }),
});

interface Batch {
  n: number;
  spent: Record<string, number>;
}

const timeOf = async (path: string): Promise<{ ms: number; body: unknown }> => {
  const started = performance.now();
  const response = await fetch(`${workerd.baseUrl}${path}`, { method: "POST" });
  const body = path === "/health" ? await response.text() : await response.json();
  return { ms: performance.now() - started, body };
};

try {
  const rates: Record<"do" | "memory", number[]> = { do: [], memory: [] };
  const spent: Record<string, number> = {};
  // One warm-up batch of each, then the measured rounds, alternating so load from others hits both.
  for (let round = 0; round <= ROUNDS; round++) {
    for (const store of ["memory", "do"] as const) {
      const empty = (await timeOf("/health")).ms;
      const { ms, body } = await timeOf(`/lifecycles?store=${store}&n=${N[store]}&inFlight=${IN_FLIGHT}`);
      if (round === 0) continue;
      rates[store].push(N[store] / (Math.max(0.1, ms - empty) / 1000));
      if (store === "do") {
        for (const [phase, total] of Object.entries((body as Batch).spent)) spent[phase] = (spent[phase] ?? 0) + total;
      }
    }
  }
  const trips = (await timeOf("/round-trips")).body as { readMs: number; writeMs: number };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const durable = median(rates.do);
  const memory = median(rates.memory);
  const lifecycles = ROUNDS * N.do;
  const perPhase = Object.entries(spent)
    .map(([phase, total]) => `${phase} ${(total / lifecycles).toFixed(2)} ms`)
    .join(", ");
  console.log(`workerd, ${IN_FLIGHT} lifecycles in flight (register → 3 progress → complete → status → result):`);
  console.log(`  Durable Object stores ${durable.toFixed(0)} lifecycles/s, memory stores ${memory.toFixed(0)}/s`);
  console.log(`  where a Durable Object lifecycle waits (summed over calls, per lifecycle): ${perPhase}`);
  console.log(
    `  one shard, one call at a time: ${trips.readMs.toFixed(2)} ms a read (the RPC alone), ${trips.writeMs.toFixed(2)} ms a write (the RPC and a durable SQLite commit)`,
  );
  console.log(
    "  a lifecycle makes 12 store calls (core reads the task before each of its 5 writes, then status and result), each an RPC to the shard; 16 in flight over 8 shards queue behind each other's commits",
  );
  console.log(`ratio Durable Object / memory: ${(durable / memory).toFixed(3)}x`);
} finally {
  await workerd.dispose();
}
