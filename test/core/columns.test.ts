import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { cutToColumns, wrapToColumns } from "../../src/core/columns.js";

const samples = [
  "plain words that go on and on past the edge of a narrow terminal window",
  "日本語のエラー".repeat(12),
  "👩‍👩‍👧‍👦 family ".repeat(10),
  "é".repeat(100),
  "x".repeat(3),
];

describe("text by display width", () => {
  it("cuts within the columns, whole characters, with a marker", () => {
    for (const text of samples) {
      for (const columns of [5, 13, 40]) {
        const cut = cutToColumns(text, columns);
        expect(stringWidth(cut)).toBeLessThanOrEqual(columns);
        if (cut !== text) expect(text.startsWith(cut.slice(0, -1))).toBe(true);
        expect(cut).not.toContain("\uFFFD");
      }
    }
  });

  it("wraps into lines within the columns that keep every character", () => {
    for (const text of samples) {
      for (const columns of [12, 30, 60]) {
        const lines = wrapToColumns(text, columns);
        for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
        expect(lines.join("").replace(/\s+/g, "")).toBe(text.replace(/\s+/g, ""));
      }
    }
  });
});
