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

describe("deepEqual (the semantic rules' comparison of outside values)", () => {
  it("compares a million levels without recursion, key order aside", async () => {
    const { deepEqual } = await import("../../src/core/json.js");
    expect(deepEqual(arrays(1_000_000), arrays(1_000_000))).toBe(true);
    expect(deepEqual(arrays(1_000_000), arrays(999_999))).toBe(false);
    expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual({ a: undefined }, { b: undefined })).toBe(false);
    expect(deepEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
  });
});
