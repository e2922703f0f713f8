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

// Paging a 10 MB value to its end, against one full get (paging.bench.ts).
const paging = JSON.parse(readFileSync(new URL("../node_modules/.cache/paging-bench.json", import.meta.url), "utf8"));
const pagingRatio = paging.pagedMs / paging.getMs;
console.log(
  `10 MB paged to the end on Redis (20,000-char pages): ${pagingRatio.toFixed(2)}x one full get (${paging.pagedMs.toFixed(0)} ms / ${paging.getMs.toFixed(0)} ms) (target <= 3x: ${pagingRatio <= 3 ? "met" : "MISSED"})`,
);
