/**
 * A 10 MB value handed to a client in pieces: a preview of it against one JSON.parse of its text
 * (target ≤ 2×), and paging it to the end in 20,000-character pages against one full `get` (target ≤ 3×).
 * Each preview and each paging run starts cold, on a new RefCache over the same store, so it pays for
 * reading and decoding the value as a client's first request would.
 */
import { bench, describe } from "vitest";
import { MemoryStore, RefCache } from "../src/index.js";
import { fixedClock } from "./subjects.js";

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

const options = { time: 2_000, iterations: 5, warmupIterations: 1 };

describe("10 MB value, memory store", async () => {
  const value = tableValue(10_000_000);
  const text = JSON.stringify(value);
  const store = new MemoryStore();
  const cache = new RefCache({ clock: fixedClock, store });
  await cache.set("big", value, { ttlMs: null });

  bench(
    "JSON.parse 10 MB",
    () => {
      JSON.parse(text);
    },
    options,
  );

  bench(
    "RefCache get 10 MB",
    async () => {
      await cache.get("big");
    },
    options,
  );

  bench(
    "RefCache preview 10 MB (cold)",
    async () => {
      const cold = new RefCache({ clock: fixedClock, store });
      await cold.preview("big", { maxChars: 20_000 });
      await cold.close();
    },
    options,
  );

  bench(
    "RefCache page 10 MB to the end (cold, 20,000-char pages)",
    async () => {
      const cold = new RefCache({ clock: fixedClock, store });
      let cursor: string | undefined;
      do {
        const page = await cold.page("big", { maxChars: 20_000, ...(cursor === undefined ? {} : { cursor }) });
        cursor = page?.nextCursor;
      } while (cursor !== undefined);
      await cold.close();
    },
    options,
  );
});
