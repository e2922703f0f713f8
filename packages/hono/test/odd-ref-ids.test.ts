/**
 * Ref ids with "-", "_", "." and ":" where base64url ids and users put them (leading, doubled, minted by
 * newRefId) through GET, preview and DELETE /refs/:refId, raw and percent-encoded.
 */
import { describe, expect, it } from "vitest";
import { mountRoutes, TEST_OWNER, useCaches } from "./helpers.js";

const makeCache = useCaches();

describe("odd ref ids through the value routes", () => {
  it("GET/preview/page/DELETE /refs/:refId with - _ . and minted ids, raw and encoded", async () => {
    const cache = makeCache();
    const app = mountRoutes(cache);
    const ids = ["refs:-abc", "refs:--", "refs:_x_", "a--b", "refs:..", "refs:.", "x.", "a:b:c"];
    for (let i = 0; i < 100; i++) ids.push(cache.newRefId());
    const bad: string[] = [];
    for (const id of ids) {
      await cache.set(id, { id, pad: "y".repeat(50) }, { owner: TEST_OWNER });
      for (const path of [id, encodeURIComponent(id)]) {
        const r = await app.request(`/refcache/refs/${path}`);
        if (r.status !== 200) bad.push(`GET ${path}: ${r.status} ${await r.text()}`);
        else if ((await r.json()).id !== id) bad.push(`GET ${path}: wrong`);
        const pv = await app.request(`/refcache/refs/${path}/preview`);
        if (pv.status !== 200) bad.push(`preview ${path}: ${pv.status}`);
      }
      const d = await app.request(`/refcache/refs/${encodeURIComponent(id)}`, { method: "DELETE" });
      if (d.status >= 300) bad.push(`DELETE ${id}: ${d.status} ${await d.text()}`);
      if ((await cache.get(id)) !== undefined) bad.push(`DELETE ${id}: still there`);
    }
    expect(bad).toEqual([]);
  });
});
