// Two JSON values compared by path: key order is no difference; a key one side lacks is added or
// removed; arrays by index; a long list of differences stops at the limit and says so.
import { describe, expect, it } from "vitest";
import { diffJson, previewJson } from "../../src/core/json-diff.js";

describe("diffJson", () => {
  it("finds no difference in key order", () => {
    expect(diffJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual({
      changes: [],
      truncated: false,
    });
  });

  it("lists what differs, what one side lacks, by path", () => {
    const { changes } = diffJson(
      { data: { ticket: { title: "A", tags: ["x", "y"], gone: true } } },
      { data: { ticket: { title: "B", tags: ["x"], new: { deep: 1 } } } },
    );
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: "data.ticket.title", kind: "changed", before: '"A"', after: '"B"' },
        { path: "data.ticket.tags[1]", kind: "removed", before: '"y"' },
        { path: "data.ticket.gone", kind: "removed", before: "true" },
        { path: "data.ticket.new", kind: "added", after: "{…1 keys}" },
      ]),
    );
    expect(changes).toHaveLength(4);
  });

  it("a value of another kind is a change; a long list stops at the limit", () => {
    expect(diffJson({ a: [1] }, { a: { 0: 1 } }).changes[0]).toMatchObject({
      path: "a",
      kind: "changed",
    });
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    const result = diffJson(many, {}, 10);
    expect(result.truncated).toBe(true);
    expect(result.changes).toHaveLength(10);
  });

  it("previews values short", () => {
    expect(previewJson("x".repeat(500))).toHaveLength(201);
    expect(previewJson([1, 2, 3])).toBe("[…3 items]");
  });
});
