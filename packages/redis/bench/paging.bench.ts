/**
 * Paging a 10 MB array value stored in Redis to its end in 20,000-character pages, against one full `get`
 * of it (target ≤ 3×): after the first page, a page reads only the entry's bookkeeping (HMGET) and decodes
 * only its own items. Each paging run starts cold, on a new RefCache over the same stores. The medians are
 * written to RESULTS_FILE; `print-ratio.mjs` prints the ratio after vitest's table.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { RefCache } from "@mcp-refcache/core";
import { Redis } from "ioredis";
import { afterAll, bench, describe } from "vitest";
import { createRedisStores } from "../src/index.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RESULTS_FILE = new URL("../node_modules/.cache/paging-bench.json", import.meta.url);
const options = { time: 2_000, iterations: 5, warmupIterations: 1 };

/** An array of rows such as a slow tool returns, about `bytes` as JSON. */
function tableValue(bytes: number): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const row = { id: i, name: `customer ${i}`, email: `customer${i}@example.com`, score: (i * 7) % 100 };
    size += JSON.stringify(row).length + 1;
    rows.push(row);
  }
  return rows;
}

const prefix = `refcache-bench:${randomUUID()}:`;
const stores = createRedisStores({ url: REDIS_URL, prefix });
const cache = new RefCache({ store: stores.store, taskStore: stores.taskStore });
await cache.set("big", tableValue(10_000_000), { ttlMs: 600_000 });

const times: { get: number[]; paged: number[] } = { get: [], paged: [] };
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN;

// Top level: vitest bench runs a file's top-level afterAll, not one inside describe.
afterAll(async () => {
  mkdirSync(dirname(RESULTS_FILE.pathname), { recursive: true });
  writeFileSync(RESULTS_FILE, JSON.stringify({ getMs: median(times.get), pagedMs: median(times.paged) }));
  await cache.close();
  await stores.close();
  const cleaner = new Redis(REDIS_URL);
  let cursor = "0";
  do {
    const [next, keys] = await cleaner.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await cleaner.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  cleaner.disconnect();
});

describe("10 MB value on Redis", () => {
  bench(
    "RefCache get 10 MB (Redis)",
    async () => {
      const started = performance.now();
      await cache.get("big");
      times.get.push(performance.now() - started);
    },
    options,
  );

  bench(
    "RefCache page 10 MB to the end (Redis, cold, 20,000-char pages)",
    async () => {
      const started = performance.now();
      const cold = new RefCache({ store: stores.store, taskStore: stores.taskStore });
      let cursor: string | undefined;
      do {
        const page = await cold.page("big", { maxChars: 20_000, ...(cursor === undefined ? {} : { cursor }) });
        cursor = page?.nextCursor;
      } while (cursor !== undefined);
      await cold.close();
      times.paged.push(performance.now() - started);
    },
    options,
  );
});
