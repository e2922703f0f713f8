/**
 * The answer of an optional task tool called without `task` is kept for the SDK's own `tasks/result`
 * right after: only for the owner the call was made for (the owner rule, as for stored tasks).
 */
import { RefCache } from "@mcp-refcache/core";
import { afterEach, expect, it } from "vitest";
import { RefCacheTaskStore, sessionScope } from "../src/index.js";

const caches: RefCache[] = [];
afterEach(async () => {
  for (const cache of caches.splice(0)) await cache.close();
});

function taskStore(): RefCacheTaskStore {
  const cache = new RefCache();
  caches.push(cache);
  return new RefCacheTaskStore(cache, { pollIntervalMs: 100, ttlMs: null, owner: sessionScope });
}

const answer = { content: [{ type: "text" as const, text: "the answer" }] };

it("hands a kept answer to its own owner once, and to no other owner", async () => {
  const store = taskStore();
  const taskId = "kept-1";
  store.keepAnswer(taskId, answer, "session:alice");
  // Another session asking for it is told of no such task, and the answer stays for its owner.
  await expect(store.getTaskResult(taskId, "mallory")).rejects.toMatchObject({ code: -32602 });
  expect(await store.getTaskResult(taskId, "alice")).toEqual(answer);
  // Handed out once.
  await expect(store.getTaskResult(taskId, "alice")).rejects.toMatchObject({ code: -32602 });
});
