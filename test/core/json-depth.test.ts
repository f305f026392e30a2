import { describe, expect, it } from "vitest";
import { nestedDeeperThan } from "../../src/core/json.js";

const arrays = (n: number) => JSON.parse(`${"[".repeat(n)}${"]".repeat(n)}`);
const objects = (n: number) => JSON.parse(`${'{"a":'.repeat(n)}1${"}".repeat(n)}`);

describe("nestedDeeperThan", () => {
  it("counts the top-level container as level 1, arrays and objects alike", () => {
    for (const make of [arrays, objects]) {
      expect(nestedDeeperThan(make(100), 100)).toBe(false);
      expect(nestedDeeperThan(make(101), 100)).toBe(true);
    }
    expect(nestedDeeperThan(7, 0)).toBe(false);
    expect(nestedDeeperThan(null, 0)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: [] }], c: "x" }, 4)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: [] }], c: "x" }, 3)).toBe(true);
  });

  it("finds a deep branch beside wide ones, and a million levels without recursion", () => {
    const wide = { list: Array.from({ length: 10_000 }, (_, i) => ({ i })), deep: arrays(60) };
    expect(nestedDeeperThan(wide, 60)).toBe(true);
    expect(nestedDeeperThan(wide, 61)).toBe(false);
    expect(nestedDeeperThan(arrays(1_000_000), 100)).toBe(true);
  });
});
