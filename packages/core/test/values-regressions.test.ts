/**
 * The failures of the Python original (mcp-refcache 0.2.1) that this library must not repeat, with
 * their exact inputs: a preview that did not recurse, a list holding one huge item, and paging that
 * trimmed pages after slicing so items could never be reached; and a string that was always one page,
 * a page past the end that answered [] with no error.
 */
import { describe, expect, it } from "vitest";
import { pageValue, previewValue, RefCache } from "../src/index.js";

const text = (value: unknown) => JSON.stringify(value);

describe("regressions of the Python original", () => {
  it('previews {"rows": [0..4999]} within a 200-character budget (Python: 28,900 characters)', () => {
    const value = { rows: Array.from({ length: 5_000 }, (_, i) => i) };
    const result = previewValue(value, { maxChars: 200 });
    expect(text(result.preview).length).toBeLessThanOrEqual(200);
    expect(result).toMatchObject({ complete: false, totalChars: text(value).length });
    const rows = (result.preview as { rows: unknown[] }).rows;
    expect(rows[0]).toBe(0);
    expect(rows.at(-1)).toBe(4_999);
  });

  it("previews a list holding one huge item within the budget (Python: 10,004 characters)", () => {
    const value = ["x".repeat(10_000)];
    const result = previewValue(value, { maxChars: 200 });
    expect(text(result.preview).length).toBeLessThanOrEqual(200);
    expect((result.preview as string[])[0]).toMatch(/^x+…\[\+\d+ chars\]$/);
  });

  it("pages 100 items at a 500-character budget without skipping any (Python: ids 4–19 unreachable)", () => {
    const items = Array.from({ length: 100 }, (_, id) => ({ id, name: `item ${id}`, description: "x".repeat(80) }));
    const ids: number[] = [];
    let cursor: string | undefined;
    do {
      const page = pageValue(items, { refId: "k", version: "v", maxChars: 500, ...(cursor ? { cursor } : {}) });
      expect(page.chars).toBeLessThanOrEqual(500);
      expect(page.offset).toBe(ids.length); // each page starts right after the last one
      ids.push(...(page.value as { id: number }[]).map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("pages a long string over several pages, and refuses a page past the end (Python: one page; [])", async () => {
    const cache = new RefCache();
    await cache.set("s", "y".repeat(1_000));
    const first = await cache.page("s", { maxChars: 100 });
    expect(first).toMatchObject({ value: "y".repeat(98), offset: 0, total: 1_000 });
    const past = String(first?.nextCursor).replace(/\.98\./, ".1000.");
    await expect(cache.page("s", { cursor: past })).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    await cache.close();
  });
});
