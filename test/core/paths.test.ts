import { describe, expect, it } from "vitest";
import {
  formatPath,
  fromPointer,
  getPath,
  parsePath,
  setPath,
  unsetPath,
} from "../../src/core/events/paths.js";

describe("parsePath and formatPath", () => {
  it.each<[string, Array<string | number>]>([
    ["data", ["data"]],
    ["data.ticket.title", ["data", "ticket", "title"]],
    ["data.ticket.replies[0].text", ["data", "ticket", "replies", 0, "text"]],
    ["a[12][3]", ["a", 12, 3]],
    ['a["odd key"].b', ["a", "odd key", "b"]],
    ['a["quote \\" inside"]', ["a", 'quote " inside']],
  ])("%s ↔ %j", (text, segments) => {
    expect(parsePath(text)).toEqual(segments);
    expect(parsePath(formatPath(segments))).toEqual(segments);
  });

  it("formats the root as $, plain names with dots, others quoted", () => {
    expect(formatPath([])).toBe("$");
    expect(formatPath(["data", "ticket", "replies", 1, "text"])).toBe(
      "data.ticket.replies[1].text",
    );
    expect(formatPath(["a", "with space", "b-c"])).toBe('a["with space"].b-c');
  });

  it.each(["", ".", ".a", "a.", "a..b", "[x]", "a[", "a]"])(
    "rejects %j with a usage error",
    (text) => {
      expect(() => parsePath(text)).toThrow(
        expect.objectContaining({ code: "BAD_PATH", kind: "usage" }),
      );
    },
  );
});

describe("fromPointer", () => {
  it("turns Ajv's instance paths into segments, numbers as indexes", () => {
    expect(fromPointer("")).toEqual([]);
    expect(fromPointer("/data/ticket/replies/0")).toEqual(["data", "ticket", "replies", 0]);
    expect(fromPointer("/a~1b/c~0d")).toEqual(["a/b", "c~d"]);
  });
});

describe("setPath", () => {
  it("sets a value, creating objects and arrays on the way", () => {
    const root: Record<string, unknown> = { data: {} };
    setPath(root, ["data", "ticket", "title"], "T");
    setPath(root, ["list", 0, "x"], 1);
    expect(root).toEqual({ data: { ticket: { title: "T" } }, list: [{ x: 1 }] });
  });

  it("appends at the end of an array, refuses an index past it", () => {
    const root = { a: [1, 2] };
    setPath(root, ["a", 2], 3);
    expect(root.a).toEqual([1, 2, 3]);
    expect(() => setPath(root, ["a", 5], 0)).toThrow("index [5] is past the end of a (length 3)");
  });

  it("refuses a path through a non-object and names where it stopped", () => {
    const root = { data: { ticket: { title: "x", tags: null } } };
    expect(() => setPath(root, ["data", "ticket", "title", "x"], 1)).toThrow(
      "cannot set data.ticket.title.x: data.ticket.title is a string, not an object",
    );
    expect(() => setPath(root, ["data", "ticket", "title", 0], 1)).toThrow(
      "cannot index data.ticket.title with [0]: it is a string, not an array",
    );
    expect(() => setPath(root, ["data", "ticket", "tags", "a"], 1)).toThrow(
      "is null, not an object",
    );
  });
});

describe("unsetPath and getPath", () => {
  it("removes a key or an array item and says whether there was one", () => {
    const root = { a: { b: 1, c: 2 }, list: [1, 2, 3] };
    expect(unsetPath(root, ["a", "b"])).toBe(true);
    expect(unsetPath(root, ["list", 0])).toBe(true);
    expect(root).toEqual({ a: { c: 2 }, list: [2, 3] });
    expect(unsetPath(root, ["a", "missing"])).toBe(false);
    expect(unsetPath(root, ["list", 9])).toBe(false);
    expect(unsetPath(root, ["a", "c", "deeper"])).toBe(false);
  });

  it("reads a value, undefined when the path does not exist", () => {
    const root = { a: [{ b: "x" }] };
    expect(getPath(root, ["a", 0, "b"])).toBe("x");
    expect(getPath(root, [])).toBe(root);
    expect(getPath(root, ["a", 1, "b"])).toBeUndefined();
    expect(getPath(root, ["a", "b"])).toBeUndefined();
  });
});
