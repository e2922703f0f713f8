/**
 * Tests of `TaskRunnerObject` inside workerd: a function started in the object runs there, is followed,
 * finished and cancelled from the Worker like any task, and refusals come back as RefCacheErrors.
 */
import { RefCache, RefCacheError, type TaskContext } from "@mcp-refcache/core";
import { startInObject, TaskRunnerObject } from "../../src/index.js";
import { freshStores } from "./fresh-stores.js";
import { describe, expect, it } from "./vitest-shim.js";

/** The runner the test Worker binds as RUNNER; its stores' prefix comes with each input. */
export class TestRunner extends TaskRunnerObject {
  protected readonly functions = {
    echo: async (input: unknown) => input,
    untilAborted: (_input: unknown, { signal }: TaskContext) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener("abort", async () => {
          // Proof that the abort reached the work in the object: a value it writes itself.
          await this.cache.set("aborted-in-object", { at: Date.now() });
          reject(signal.reason);
        });
      }),
  };
  protected override storesOptions() {
    return { shards: 4, prefix: String(this.ctx.id.name ?? "").split("|")[0] ?? "" };
  }
}

const until = async (check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: never held within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

export function defineRunnerTests(): void {
  describe("TaskRunnerObject", () => {
    it("runs a named function in the object; the Worker follows it, cancels it, and sees refusals", async () => {
      const s = freshStores();
      const cache = new RefCache({ store: s.store, taskStore: s.taskStore, instanceId: "worker" });
      const runner = s.env.RUNNER as DurableObjectNamespace<TestRunner>;
      // The object's name carries the stores' prefix (the test runner reads it back).
      const namespace = {
        idFromName: (name: string) => runner.idFromName(`${s.prefix}|${name}`),
        get: (id: DurableObjectId) => runner.get(id),
      } as unknown as DurableObjectNamespace<TestRunner>;
      const start = (refId: string, name: string, input?: unknown) =>
        startInObject(namespace, input === undefined ? { refId, name } : { refId, name, input });
      try {
        const echo = await start("echo-1", "echo", { rows: [1, 2] });
        expect(echo).toMatchObject({ refId: "echo-1" });
        await until(async () => (await cache.getTask("echo-1"))?.status === "complete", 5_000, "echo complete");
        expect(await cache.get("echo-1")).toEqual({ rows: [1, 2] });

        await start("long", "untilAborted");
        await expect(start("long", "untilAborted")).rejects.toMatchObject({ code: "TASK_ALREADY_ACTIVE" });
        const unknown = await start("other", "nope").catch((error: unknown) => error);
        expect(RefCacheError.isInstance(unknown, "VALIDATION_ERROR")).toBe(true);
        const cancelledAt = Date.now();
        await cache.cancelTask("long", "stop");
        await until(async () => (await cache.get("aborted-in-object")) !== undefined, 2_000, "aborted in the object");
        const { at } = (await cache.get("aborted-in-object")) as { at: number };
        expect(at - cancelledAt).toBeLessThan(1_000);
        expect(await cache.getTask("long")).toMatchObject({ status: "cancelled", error: "stop" });

        // The same id again lands on the same object, whose cache (and change sockets) outlived the first
        // request: the cancel of the second run must still be pushed to it.
        await start("long", "untilAborted");
        await until(async () => (await cache.getTask("long"))?.status === "processing", 2_000, "second run");
        const again = Date.now();
        await cache.cancelTask("long", "stop again");
        await until(
          async () => ((await cache.get("aborted-in-object")) as { at: number }).at >= again,
          2_000,
          "second run aborted in the object",
        );
        expect(((await cache.get("aborted-in-object")) as { at: number }).at - again).toBeLessThan(1_000);
      } finally {
        await cache.close();
        await s.cleanup();
      }
    });
  });
}
