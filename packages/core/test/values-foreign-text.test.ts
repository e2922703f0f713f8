/**
 * Stored text written by another encoder (compact, but not what encodeValue writes): pages cut from the
 * text must be the pages of the decoded value, within the budget.
 */
import { describe, expect, it } from "vitest";
import { MemoryStore, pageValue, RefCache } from "../src/index.js";

async function cacheWith(data: string) {
  const store = new MemoryStore();
  const cache = new RefCache({ store });
  await store.set("v", { data, createdAt: Date.now(), version: 7 });
  return cache;
}

describe("pages of text another encoder wrote", () => {
  it("pages the value a repeated key decodes to (the last), not the first", async () => {
    const cache = await cacheWith('{"a":[1,2,3],"a":["x","y"]}');
    const page = await cache.page("v", { path: "/a", maxChars: 64 });
    expect(page?.value).toEqual(["x", "y"]);
    await cache.close();
  });

  it("keeps a page within its budget when numbers are written shorter than JSON.stringify writes them", async () => {
    const data = `[${Array(40).fill("9e20").join(",")}]`;
    const cache = await cacheWith(data);
    const page = await cache.page("v", { maxChars: 64 });
    expect(JSON.stringify(page?.value).length).toBe(page?.chars);
    expect(page?.chars).toBeLessThanOrEqual(64);
    const tree = JSON.parse(data) as unknown;
    expect(page?.value).toEqual(pageValue(tree, { refId: "v", version: page?.version as string, maxChars: 64 }).value);
    await cache.close();
  });

  it("keeps a page within its budget when an item repeats a key", async () => {
    const item = `{"k":"${"x".repeat(40)}","k":1}`;
    const data = `[${Array(10).fill(item).join(",")}]`;
    const cache = await cacheWith(data);
    const page = await cache.page("v", { maxChars: 64 });
    expect(JSON.stringify(page?.value).length).toBe(page?.chars);
    expect(page?.value).toEqual(Array(7).fill({ k: 1 }));
    await cache.close();
  });
});
