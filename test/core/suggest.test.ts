import { describe, expect, it } from "vitest";
import { closestDocumentedPath } from "../../src/core/events/documented-paths.js";
import { closest, didYouMeanSuffix, editDistance } from "../../src/core/suggest.js";

describe("editDistance", () => {
  it("counts insertions, deletions, substitutions and neighbour swaps as one", () => {
    expect(editDistance("creatd", "created")).toBe(1);
    expect(editDistance("sned", "send")).toBe(1);
    expect(editDistance("titel", "title")).toBe(1);
    expect(editDistance("abc", "abc")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
});

describe("closest", () => {
  it("finds a near name, and nothing when none is near", () => {
    expect(closest("creatd", ["created", "updated", "assigned", "resolved"])).toBe("created");
    expect(closest("RESOLVD", ["created", "resolved"])).toBe("resolved");
    expect(closest("nope", ["send", "listen", "check"])).toBeUndefined();
    expect(closest("x", ["y"])).toBe("y");
    expect(closest("xyz", [])).toBeUndefined();
  });
});

describe("closestDocumentedPath", () => {
  it("keeps array indexes and ignores documented paths", () => {
    const type = "whitelabel-ticket-updated";
    expect(closestDocumentedPath("data.ticket.titel", type)).toBe("data.ticket.title");
    expect(closestDocumentedPath("data.ticket.replies[2].txt", type)).toBe(
      "data.ticket.replies[2].text",
    );
    expect(closestDocumentedPath("data.ticket.title", type)).toBeUndefined();
    expect(closestDocumentedPath("data.custom_thing", type)).toBeUndefined();
  });
});

describe("closest, for scenario keys", () => {
  it("finds the nearest candidate within a third of the word", () => {
    expect(editDistance("sett", "set")).toBe(1);
    expect(editDistance("creatd", "created")).toBe(1);
    expect(editDistance("udpated", "updated")).toBe(1); // a swap is one edit
    expect(closest("creatd", ["created", "updated", "assigned", "resolved"])).toBe("created");
    expect(closest("sett", ["name", "event", "set", "unset"])).toBe("set");
    expect(closest("STATUSS", ["status", "body", "max_ms"])).toBe("status");
    expect(closest("xyz", ["created", "updated"])).toBeUndefined();
    expect(didYouMeanSuffix("x", ["set"])).toBe("");
    expect(didYouMeanSuffix("resolvd", ["resolved"])).toBe(' (did you mean "resolved"?)');
  });
});
