/**
 * Smoke of the packed @mcp-refcache/core (run by scripts/pack-smoke.mjs in a scratch project): the README's
 * first lines — a fast call answered inline, a slow one answered with a reference that is polled through
 * the SDK-free MCP mapping and read once complete — a typed error, and the store authors' entry.
 */
import assert from "node:assert/strict";
import { RefCache, RefCacheError, runWithTimeoutFallback } from "@mcp-refcache/core";
import { answerCachedResult, answerTaskStatus } from "@mcp-refcache/core/mcp";
import { canTransition, decodeValue, encodeValue } from "@mcp-refcache/core/store";

const cache = new RefCache({ name: "smoke" });
try {
  const fast = await runWithTimeoutFallback(cache, async () => ({ rows: 3 }), { timeoutMs: 5_000 });
  assert.equal(fast.status, "complete");
  assert.deepEqual(fast.value, { rows: 3 });

  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  const slow = await runWithTimeoutFallback(
    cache,
    async ({ reportProgress }) => {
      await reportProgress({ current: 1, total: 2, message: "half way" });
      await gate;
      return { rows: 7 };
    },
    { timeoutMs: 1 },
  );
  assert.equal(slow.status, "pending");

  const context = { pollIntervalMs: 1_000 };
  const status = await answerTaskStatus(cache, { refId: slow.refId }, context);
  assert.equal(status.isError, undefined, JSON.stringify(status));
  assert.equal(status.structuredContent.refId, slow.refId);

  release();
  const finished = await cache.waitForTask(slow.refId, { timeoutMs: 10_000 });
  assert.equal(finished.status, "complete");
  assert.deepEqual(await cache.get(slow.refId), { rows: 7 });
  const result = await answerCachedResult(cache, { refId: slow.refId }, context);
  assert.notEqual(result.isError, true, JSON.stringify(result));
  assert.match(JSON.stringify(result.structuredContent), /"rows":7/);

  await assert.rejects(
    () => cache.set("bad", { at: new Date() }),
    (error) => RefCacheError.isInstance(error) && error.code === "VALIDATION_ERROR",
  );
} finally {
  await cache.close();
}

// @mcp-refcache/core/store: the codec a store keeps values with, and the lifecycle table.
assert.deepEqual(decodeValue(encodeValue({ rows: [1, 2] })), { rows: [1, 2] });
assert.equal(canTransition("pending", "processing"), true);
assert.equal(canTransition("complete", "pending"), false);
console.log("core: inline answer, pending reference polled and read, VALIDATION_ERROR, /store codec");
