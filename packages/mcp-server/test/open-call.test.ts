import { describe, expect, it } from "vitest";
import { connected, connectLegacy, connectModern, deferAfterEach, deferred } from "./harness.js";

const clients = { "a 2026-07-28 client": connectModern, "a 2025-era client": connectLegacy };

describe.each(Object.entries(clients))("while %s waits for a call", (_label, connect) => {
  const defer = deferAfterEach();

  const setup = () => connected(defer, connect);

  it("the handler's progress reaches it as notifications/progress", async () => {
    const { client, work } = await setup();
    const seen: unknown[] = [];
    const answer = await client.callTool(
      { name: "patient", arguments: { key: "p" } },
      {
        onprogress: (progress) => {
          seen.push(progress);
          work.release("p", "done");
        },
      },
    );
    expect(seen).toEqual([{ progress: 1, total: 4, message: "started" }]);
    expect(answer.structuredContent).toEqual({ value: "done" });
  });

  it("cancelling the request aborts the handler's signal", async () => {
    const { client, work } = await setup();
    const controller = new AbortController();
    const started = deferred();
    const call = client.callTool(
      { name: "patient", arguments: { key: "c" } },
      { signal: controller.signal, onprogress: () => started.resolve() },
    );
    await started.promise;
    controller.abort("changed my mind");
    await expect(call).rejects.toThrow();
    await work.aborted("c");
  });
});
