/**
 * Smoke of the packed @mcp-refcache/core from CommonJS: `require()` loads the ES module (Node ≥ 20.19 /
 * 22.12) and gives the very classes `import()` gives, so `instanceof` and `RefCacheError.isInstance` agree
 * across both (no dual-package hazard).
 */
const assert = require("node:assert/strict");
const { RefCache, RefCacheError, runWithTimeoutFallback } = require("@mcp-refcache/core");

async function main() {
  const imported = await import("@mcp-refcache/core");
  assert.ok(imported.RefCache === RefCache, "require() and import() gave two RefCache classes");

  const cache = new RefCache({ name: "smoke-cjs" });
  try {
    const fast = await runWithTimeoutFallback(cache, async () => "inline", { timeoutMs: 5_000 });
    assert.equal(fast.status, "complete");
    assert.equal(fast.value, "inline");

    let thrown;
    try {
      await cache.completeTask("smoke-cjs:unknown", 1);
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof RefCacheError, "a required RefCacheError is not instanceof the required class");
    assert.ok(thrown instanceof imported.RefCacheError, "…nor of the imported one");
    assert.ok(imported.RefCacheError.isInstance(thrown));
    assert.equal(thrown.code, "TASK_NOT_FOUND");
  } finally {
    await cache.close();
  }
  console.log("core (require): same module as import(), inline answer, one RefCacheError class for both");
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
