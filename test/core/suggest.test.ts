import { describe, expect, it } from "vitest";
import { closest, didYouMean, editDistance } from "../../src/core/suggest.js";

describe("closest", () => {
  it("finds the nearest candidate within a third of the word", () => {
    expect(editDistance("sett", "set")).toBe(1);
    expect(editDistance("creatd", "created")).toBe(1);
    expect(editDistance("udpated", "updated")).toBe(1); // a swap is one edit
    expect(closest("creatd", ["created", "updated", "assigned", "resolved"])).toBe("created");
    expect(closest("sett", ["name", "event", "set", "unset"])).toBe("set");
    expect(closest("STATUSS", ["status", "body", "max_ms"])).toBe("status");
    expect(closest("xyz", ["created", "updated"])).toBeUndefined();
    expect(didYouMean("x", ["set"])).toBe("");
    expect(didYouMean("resolvd", ["resolved"])).toBe(' (did you mean "resolved"?)');
  });
});
