/** Reading a 1 MB value back out of the cache, against copying the same value with structuredClone. */
import { bench, describe } from "vitest";
import { RefCache } from "../src/index.js";
import { fixedClock } from "./subjects.js";

/** A table of rows such as a slow tool returns, about 1 MB as JSON. */
function megabyteValue(): { rows: Record<string, unknown>[] } {
  const rows: Record<string, unknown>[] = [];
  let size = 0;
  for (let i = 0; size < 1_000_000; i++) {
    const row = {
      id: i,
      name: `customer ${i}`,
      email: `customer${i}@example.com`,
      score: Math.round(i * 7.31) / 100,
      active: i % 3 !== 0,
      tags: ["retail", i % 2 === 0 ? "eu" : "us"],
    };
    size += JSON.stringify(row).length + 1;
    rows.push(row);
  }
  return { rows };
}

describe("1 MB value", async () => {
  const value = megabyteValue();
  const cache = new RefCache({ clock: fixedClock });
  await cache.set("big", value);

  bench("RefCache get", async () => {
    await cache.get("big");
  });

  bench("structuredClone", () => {
    structuredClone(value);
  });
});
