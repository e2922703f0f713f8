// Core's store conformance suite and this package's store tests, run INSIDE workerd against the Durable
// Object stores: the test Worker collects them, and each vitest test here runs one of them in workerd over
// HTTP and fails with the error it reports.
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  bundleWorker,
  freePort,
  type RunningWorkerd,
  skipWithoutWorkerd,
  startWorkerd,
  workerdDir,
} from "./workerd-process.js";

const skip = skipWithoutWorkerd();
let workerd: RunningWorkerd | undefined;
let names: string[] = [];

if (!skip) {
  const dir = await workerdDir("stores");
  await bundleWorker(fileURLToPath(new URL("./workerd/store-tests-worker.ts", import.meta.url)), `${dir}/worker.js`);
  workerd = await startWorkerd({
    dir,
    port: await freePort(),
    objects: { REFCACHE: "RefCacheShard", RUNNER: "TestRunner", PROBE: "MigrationProbe" },
  });
  names = (await (await fetch(`${workerd.baseUrl}/tests`)).json()) as string[];
}

afterAll(async () => {
  await workerd?.dispose();
});

describe.skipIf(skip)("inside workerd", () => {
  it("collects core's conformance suite and the Durable Object tests", () => {
    expect(names.filter((n) => n.startsWith("Durable Object stores")).length).toBeGreaterThanOrEqual(15);
    expect(names.length).toBeGreaterThan(20);
  });

  for (const name of names) {
    it(name, async () => {
      const response = await fetch(`${workerd?.baseUrl}/run?name=${encodeURIComponent(name)}`, { method: "POST" });
      const outcome = (await response.json()) as { ok: boolean; error?: string };
      if (!outcome.ok) throw new Error(`${outcome.error}\n--- workerd output ---\n${workerd?.output().slice(-4000)}`);
    });
  }
});
