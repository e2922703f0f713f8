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
if (results.refcacheIoredis !== undefined) {
  console.log(
    `ratio @mcp-refcache/redis (transport "ioredis") / BullMQ: ${(results.refcacheIoredis / results.bullmq).toFixed(2)}x (${results.refcacheIoredis.toFixed(0)} lifecycles/s; no target)`,
  );
}

// Paging a 10 MB value to its end, against one full get (paging.bench.ts).
const paging = JSON.parse(readFileSync(new URL("../node_modules/.cache/paging-bench.json", import.meta.url), "utf8"));
const pagingRatio = paging.pagedMs / paging.getMs;
console.log(
  `10 MB paged to the end on Redis (20,000-char pages): ${pagingRatio.toFixed(2)}x one full get (${paging.pagedMs.toFixed(0)} ms / ${paging.getMs.toFixed(0)} ms) (target <= 3x: ${pagingRatio <= 3 ? "met" : "MISSED"})`,
);

// The cluster bench (cluster.bench.ts): 64 in flight, a 3-master cluster vs one node vs BullMQ on one node.
try {
  const c = JSON.parse(readFileSync(new URL("../node_modules/.cache/cluster-bench.json", import.meta.url), "utf8"));
  const total = c.callsPerNode.reduce((a, b) => a + b, 0);
  console.log(
    `${c.inFlight} in flight: 3-master cluster ${c.cluster.toFixed(0)} lifecycles/s, one node ${c.single.toFixed(0)}/s, BullMQ on one node ${c.bullmq.toFixed(0)}/s`,
  );
  console.log(
    `ratio cluster / one node: ${(c.cluster / c.single).toFixed(2)}x, cluster / BullMQ: ${(c.cluster / c.bullmq).toFixed(2)}x; commands per master: ${c.callsPerNode.map((n) => `${((n / total) * 100).toFixed(0)}%`).join(" / ")} (of ${total})`,
  );
} catch {
  console.log("cluster bench: no results (redis-server not available?)");
}
