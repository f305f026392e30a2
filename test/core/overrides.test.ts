import { describe, expect, it } from "vitest";
import { applyOverrides, deepMerge, parseAssignment } from "../../src/core/events/overrides.js";

describe("parseAssignment", () => {
  it("parses the value as JSON when it is JSON, else keeps the string", () => {
    expect(parseAssignment("data.ticket.is_open=false")).toEqual(["data.ticket.is_open", false]);
    expect(parseAssignment("a=42")).toEqual(["a", 42]);
    expect(parseAssignment("a=null")).toEqual(["a", null]);
    expect(parseAssignment('a={"x":[1]}')).toEqual(["a", { x: [1] }]);
    expect(parseAssignment("data.ticket.title=Refund please")).toEqual([
      "data.ticket.title",
      "Refund please",
    ]);
    expect(parseAssignment("a=x=y")).toEqual(["a", "x=y"]);
    expect(parseAssignment("a=")).toEqual(["a", ""]);
  });

  it("--set-string keeps the text as a string", () => {
    expect(parseAssignment("a=42", true)).toEqual(["a", "42"]);
    expect(parseAssignment("a=null", true)).toEqual(["a", "null"]);
  });

  it("refuses a missing '=' or path, and a bad path, before anything is applied", () => {
    expect(() => parseAssignment("novalue")).toThrow('invalid assignment "novalue"');
    expect(() => parseAssignment("=1")).toThrow('invalid assignment "=1": expected path=value');
    expect(() => parseAssignment("a..b=1")).toThrow('invalid path "a..b"');
  });
});

describe("deepMerge", () => {
  it("merges objects, replaces anything else (arrays included)", () => {
    const target = { a: { b: 1, c: [1, 2] }, d: "x" };
    expect(deepMerge(target, { a: { c: [9], e: true }, d: null })).toEqual({
      a: { b: 1, c: [9], e: true },
      d: null,
    });
    expect(target).toEqual({ a: { b: 1, c: [1, 2] }, d: "x" }); // not mutated
  });

  it("refuses to merge into an event that is not an object", () => {
    expect(() => deepMerge([1], { a: 1 })).toThrow("data (--data) cannot merge into it");
  });
});

describe("applyOverrides", () => {
  const event = () => ({
    data: { ticket: { title: "T", subcategory: null, replies: [{ id: 1 }, { id: 2 }] } },
  });

  it("applies data, then sets in order, then unsets, on a copy", () => {
    const original = event();
    const out = applyOverrides(original, {
      data: { data: { ticket: { title: "from data", category: "Billing" } } },
      set: [
        ["data.ticket.title", "first"],
        ["data.ticket.title", "second"],
        ["data.ticket.replies[1].text", "hi"],
      ],
      unset: ["data.ticket.replies[0]"],
    });
    expect(out).toEqual({
      data: {
        ticket: {
          title: "second",
          subcategory: null,
          category: "Billing",
          replies: [{ id: 2, text: "hi" }],
        },
      },
    });
    expect(original).toEqual(event());
  });

  it("a set may create a field; an unset of a missing field is a usage error naming it", () => {
    expect(applyOverrides(event(), { set: [["data.extra.flag", true]] })).toMatchObject({
      data: { extra: { flag: true } },
    });
    expect(() => applyOverrides(event(), { unset: ["data.ticket.nope"] })).toThrow(
      expect.objectContaining({
        code: "BAD_UNSET",
        message: "unset (--unset) data.ticket.nope: there is no data.ticket.nope in the event",
      }),
    );
  });

  it("--data must be an object", () => {
    expect(() => applyOverrides(event(), { data: [1] })).toThrow(
      "data (--data) must hold a JSON object",
    );
  });
});
