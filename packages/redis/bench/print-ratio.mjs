// Prints the throughput ratio measured by lifecycle.bench.ts as the last line of `pnpm bench`.
import { readFileSync } from "node:fs";

const results = JSON.parse(
  readFileSync(new URL("../node_modules/.cache/lifecycle-bench.json", import.meta.url), "utf8"),
);
const ratio = results.refcache / results.bullmq;
console.log(
  `@mcp-refcache/redis task store ${results.refcache.toFixed(0)} lifecycles/s, BullMQ ${results.bullmq.toFixed(0)}/s (${results.inFlight} in flight)`,
);
console.log(`ratio @mcp-refcache/redis / BullMQ: ${ratio.toFixed(2)}x (target >= 2x)`);
