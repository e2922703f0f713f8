/** finishedTaskToolResult: one answer for a finished task, for both MCP adapters' `tasks/result`. */
import { describe, expect, it } from "vitest";
import { RefCache } from "../src/index.js";
import { answerBudget, finishedTaskToolResult } from "../src/mcp/index.js";

describe("finishedTaskToolResult", () => {
  it("answers each finished state, an execute-only entry by reference alone, and nothing for a running task", async () => {
    const cache = new RefCache();
    try {
      const answer = { budget: answerBudget(cache, undefined) };
      const done = await cache.registerTask("done", Promise.resolve({ rows: 3 }));
      await cache.waitForTask("done", { timeoutMs: 1_000 });
      const complete = await cache.getTask("done");
      expect(await finishedTaskToolResult(cache, complete ?? done, undefined, answer)).toMatchObject({
        structuredContent: { rows: 3 },
      });
      // Server code stored an execute-only value under the finished task's id: its reference alone.
      await cache.set("done", { secret: "s3cr3t" }, { executeOnly: true });
      const hidden = await finishedTaskToolResult(cache, complete ?? done, undefined, answer);
      expect(JSON.stringify(hidden)).not.toContain("s3cr3t");
      expect(JSON.stringify(hidden)).toContain("done");
      // Gone: result_expired.
      await cache.delete("done");
      expect(await finishedTaskToolResult(cache, complete ?? done, undefined, answer)).toMatchObject({ isError: true });

      await cache.registerTask("bad", {});
      const failed = await cache.failTask("bad", new Error("boom"));
      expect(JSON.stringify(await finishedTaskToolResult(cache, failed, undefined, answer))).toContain("boom");
      const running = await cache.registerTask("running", {});
      expect(await finishedTaskToolResult(cache, running, undefined, answer)).toBeUndefined();
    } finally {
      await cache.close();
    }
  });
});
