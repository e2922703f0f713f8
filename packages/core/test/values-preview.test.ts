/** Previews: within budget for every JSON value and budget, complete exactly when whole, deterministic. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { measureValue, previewValue } from "../src/index.js";
import { budget, jsonValue } from "./json-arbitraries.js";

const text = (value: unknown) => JSON.stringify(value);

describe("previewValue", () => {
  it("fits the budget for every JSON value and every budget ≥ 64, and measures itself exactly", () => {
    fc.assert(
      fc.property(jsonValue, budget, (value, maxChars) => {
        const result = previewValue(value, { maxChars });
        expect(result.chars).toBe(text(result.preview).length);
        expect(result.chars).toBeLessThanOrEqual(maxChars);
        expect(result.totalChars).toBe(text(value).length);
        expect(result.complete).toBe(text(value).length <= maxChars);
        if (result.complete) expect(text(result.preview)).toBe(text(value));
        else expect(text(result.preview)).not.toBe(text(value));
        // Deterministic: the same value and budget give the same preview.
        expect(text(previewValue(value, { maxChars }).preview)).toBe(text(result.preview));
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it("measures compact JSON text in UTF-16 code units", () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        expect(measureValue(value)).toBe(text(value).length);
        expect(measureValue(value, (t) => t.length * 2)).toBe(text(value).length * 2);
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it("marks what it leaves out: items, keys and characters, and where", () => {
    const rows = Array.from({ length: 1_000 }, (_, id) => ({ id, name: `row ${id}` }));
    const { preview } = previewValue({ rows, title: "t".repeat(5_000), z: 1 }, { maxChars: 600 });
    const shown = preview as { rows: unknown[]; title: string };
    expect(shown.rows[0]).toEqual({ id: 0, name: "row 0" });
    expect(shown.rows.at(-1)).toEqual({ id: 999, name: "row 999" });
    expect(shown.rows.some((r) => typeof r === "string" && /^…\d+ items omitted \[\d+\.\.\d+\]$/.test(r))).toBe(true);
    expect(shown.title).toMatch(/^t*…\[\+\d+ chars\]$/);
    const wide = previewValue(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`key${i}`, i])), {
      maxChars: 100,
    });
    expect(Object.entries(wide.preview as object).at(-1)).toEqual([
      "…",
      expect.stringMatching(/^\d+ more keys omitted$/),
    ]);
  });

  it("never cuts a string inside a surrogate pair", () => {
    fc.assert(
      fc.property(fc.integer({ min: 64, max: 500 }), fc.integer({ min: 0, max: 3 }), (maxChars, shift) => {
        const value = "a".repeat(shift) + "😀".repeat(400);
        const { preview } = previewValue(value, { maxChars });
        const cut = (preview as string).split("…[+")[0] as string;
        expect(cut.length).toBeGreaterThan(0);
        expect(/[\ud800-\udbff]$/.test(cut)).toBe(false);
      }),
    );
  });

  it("keeps a custom measure's budget as far as it can (tokens counted as four characters each)", () => {
    const tokens = (t: string) => Math.ceil(t.length / 4);
    const value = { rows: Array.from({ length: 5_000 }, (_, id) => ({ id })) };
    const result = previewValue(value, { maxChars: 500, measure: tokens });
    expect(result.chars).toBe(tokens(text(result.preview)));
    expect(result.chars).toBeLessThanOrEqual(500);
    expect(text(result.preview).length).toBeGreaterThan(500); // it used the larger character room
    expect(result.totalChars).toBe(tokens(text(value)));
  });

  it("refuses a measure that breaks its contract with a typed error, not a raw TypeError", () => {
    const value = { rows: Array.from({ length: 500 }, (_, id) => ({ id })) };
    for (const broken of [() => Number.NaN, () => -1, () => "12" as unknown as number]) {
      expect(() => previewValue(value, { maxChars: 100, measure: broken })).toThrow(
        expect.objectContaining({ code: "VALIDATION_ERROR" }),
      );
    }
  });
});
