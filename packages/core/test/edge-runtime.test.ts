import { fileURLToPath } from "node:url";
import { EdgeVM } from "@edge-runtime/vm";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

// Core must run where only Web APIs exist (Workers, Vercel Edge, Deno, Bun). Bundle it for a neutral
// platform, which fails on any import of a Node built-in, and run it in an edge-runtime VM, which has
// no `process`, `Buffer` or `require`.
const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));

async function bundleCore(): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "iife",
    globalName: "RefCacheCore",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}

describe("core on an edge runtime", () => {
  it("has no Node-only globals in the VM it is tested in", () => {
    const vm = new EdgeVM();
    expect(vm.evaluate("typeof process + typeof Buffer + typeof require")).toBe("undefinedundefinedundefined");
  });

  it("runs the task lifecycle, the cache and the timeout fallback with Web APIs only", async () => {
    const vm = new EdgeVM();
    vm.evaluate(await bundleCore());
    const outcome = await vm.evaluate(`(async () => {
      const { RefCache, runWithTimeoutFallback } = RefCacheCore;
      const cache = new RefCache({ name: "edge", taskCleanupIntervalMs: 5 });
      const id = cache.newRefId();
      await cache.registerTask(id, { abortController: new AbortController() });
      await cache.updateTaskProgress(id, { current: 1, total: 2, message: "half" });
      await cache.completeTask(id, { big: Array.from({ length: 100 }, (_, i) => i) });
      const stored = await cache.get(id);
      const slow = await runWithTimeoutFallback(
        cache,
        async ({ reportProgress }) => {
          await new Promise((r) => setTimeout(r, 30));
          await reportProgress({ current: 1, total: 1 });
          return "late";
        },
        { timeoutMs: 5 },
      );
      while (cache.getTaskStatus(slow.refId).status !== "complete") await new Promise((r) => setTimeout(r, 5));
      const late = await cache.get(slow.refId);
      await cache.close();
      return JSON.stringify({ id, status: cache.getTaskStatus(id), length: stored.big.length, slow: slow.status, late });
    })()`);
    const parsed = JSON.parse(outcome as string);
    expect(parsed.id).toMatch(/^edge:[A-Za-z0-9_-]{22}$/);
    expect(parsed.status).toMatchObject({ status: "complete", progress: { current: 1, total: 2, percentage: 50 } });
    expect(parsed.length).toBe(100);
    expect(parsed.slow).toBe("pending");
    expect(parsed.late).toBe("late");
  });
});
