import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonErrorOffset, lineColumn } from "../../src/core/json-error.js";

// The scanner that locates JSON.parse's failures: it accepts what JSON.parse accepts, stops at the
// end of any cut-off text, and never recurses.

describe("jsonErrorOffset", () => {
  it("accepts every JSON text, and stops every cut of one at its end", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.boolean(), (compact, pretty) => {
        const text = pretty ? JSON.stringify(JSON.parse(compact), null, 2) : compact;
        expect(jsonErrorOffset(text)).toBe(text.length);
        for (let cut = 0; cut < text.length; cut++) {
          const part = text.slice(0, cut);
          // A number cut after `e`, `.` or `-` is stopped at that character.
          const slack = /[-+.eE]\d?$/.test(part) ? 2 : 0;
          expect(jsonErrorOffset(part)).toBeGreaterThanOrEqual(part.length - slack);
          expect(jsonErrorOffset(part)).toBeLessThanOrEqual(part.length);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("points at the offending character", () => {
    expect(jsonErrorOffset('{"a": x}')).toBe(6);
    expect(jsonErrorOffset('{"a":1,}')).toBe(7);
    expect(jsonErrorOffset('["\\q"]')).toBe(3);
    expect(jsonErrorOffset('"\\u12G4"')).toBe(5);
    expect(jsonErrorOffset("[1] 2")).toBe(4);
  });

  it("reads text nested a million deep without recursion", () => {
    const deep = `${"[".repeat(1_000_000)}x`;
    expect(jsonErrorOffset(deep)).toBe(1_000_000);
  });

  it("gives 1-based lines and columns", () => {
    expect(lineColumn("ab\ncd\nef", 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn("ab", 0)).toEqual({ line: 1, column: 1 });
  });
});
