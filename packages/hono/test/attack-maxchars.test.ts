/** README: maxChars is capped at the budget; core and the MCP tools take up to 2^31-1. */
import { describe, expect, it } from "vitest";
import { mountRoutes, TEST_OWNER, useCaches } from "./helpers.js";

const makeCache = useCaches();
describe("hono maxChars", () => {
  it("a 10-digit maxChars that core takes (2147483647) is capped, not refused", async () => {
    const cache = makeCache();
    await cache.set("v", { a: 1 }, { owner: TEST_OWNER });
    const r = await mountRoutes(cache).request("/refcache/refs/v?maxChars=2147483647");
    expect(r.status).toBe(200);
  });
});
