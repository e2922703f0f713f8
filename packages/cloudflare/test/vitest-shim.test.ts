// The collector that stands in for vitest inside workerd: hooks run in vitest's order, skips are skipped,
// and its `expect` fails and passes as vitest's does.
import { describe as vitestDescribe, expect as vitestExpect, it as vitestIt } from "vitest";
import { afterAll, afterEach, beforeAll, beforeEach, collected, describe, expect, it } from "./workerd/vitest-shim.js";

vitestDescribe("the in-workerd vitest shim", () => {
  vitestIt("runs beforeAll once, beforeEach/afterEach around each test, afterAll after the last", async () => {
    const calls: string[] = [];
    describe("outer", () => {
      beforeAll(() => void calls.push("beforeAll"));
      beforeEach(() => void calls.push("beforeEach"));
      afterEach(() => void calls.push("afterEach"));
      afterAll(() => void calls.push("afterAll"));
      it("one", () => void calls.push("one"));
      it.skip("skipped", () => void calls.push("skipped"));
      it.skipIf(true)("skipped too", () => void calls.push("skipped too"));
      describe("inner", () => {
        it("two", () => void calls.push("two"));
      });
    });
    vitestExpect([...collected.keys()].filter((name) => name.startsWith("outer"))).toEqual([
      "outer > one",
      "outer > inner > two",
    ]);
    await collected.get("outer > one")?.();
    await collected.get("outer > inner > two")?.();
    vitestExpect(calls).toEqual([
      "beforeAll",
      "beforeEach",
      "one",
      "afterEach",
      "beforeEach",
      "two",
      "afterEach",
      "afterAll",
    ]);
  });

  vitestIt("asserts with vitest's matchers", async () => {
    expect({ a: 1, b: [2] }).toMatchObject({ b: [2] });
    vitestExpect(() => expect(1).toBe(2)).toThrow(/expected 1 to be 2/);
    await expect(Promise.reject(Object.assign(new Error("x"), { code: "C" }))).rejects.toMatchObject({ code: "C" });
  });
});
