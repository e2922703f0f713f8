import { bench, describe } from "vitest";
import { RefCache } from "../src/index.js";

const fixedClock = { now: () => 1_700_000_000_000 };

describe("task registry", () => {
  const cache = new RefCache({ clock: fixedClock });
  let n = 0;

  bench("register → progress → complete (one task)", async () => {
    const id = `t${n++}`;
    await cache.registerTask(id, {});
    await cache.updateTaskProgress(id, { current: 1, total: 2 });
    await cache.completeTask(id, n);
  });

  const polled = new RefCache({ clock: fixedClock });
  void polled.registerTask("polled", {}).then(() => polled.updateTaskProgress("polled", { current: 1, total: 10 }));

  bench("getTaskStatus (polling)", () => {
    polled.getTaskStatus("polled");
  });

  bench("1 000 concurrent progress updates on one id", async () => {
    const id = `c${n++}`;
    await cache.registerTask(id, {});
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => cache.updateTaskProgress(id, { current: i, total: 1000 })),
    );
  });

  bench(
    "register 10 000 promise tasks, let them complete, clean them up",
    async () => {
      const sweep = new RefCache({ clock: fixedClock });
      await Promise.all(Array.from({ length: 10_000 }, (_, i) => sweep.registerTask(`s${i}`, Promise.resolve(i))));
      await new Promise((r) => setTimeout(r, 0));
      await sweep.cleanupTasks(0);
      await sweep.close();
    },
    { iterations: 5 },
  );
});

describe("cache values", () => {
  const cache = new RefCache({ clock: fixedClock });
  const small = { id: 1, name: "row", tags: ["a", "b"] };
  const large = { rows: Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `row ${i}`, score: i / 3 })) };
  void cache.set("small", small);
  void cache.set("large", large);

  bench("set + get, small object", async () => {
    await cache.set("small", small);
    await cache.get("small");
  });

  bench("get, 10 000-row object (copied out)", async () => {
    await cache.get("large");
  });
});
