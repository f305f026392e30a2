import { describe, expect, it } from "vitest";
import { jsonSafe, safeBlock, safeLine } from "../../src/terminal/safe-text.js";

const ESC = "\u001b";

describe("safeLine / safeBlock", () => {
  it("escapes ESC, OSC/CSI sequences, BEL, C1 and bidi controls", () => {
    const hostile = `T${ESC}]2;title\u0007Z ${ESC}[2J${ESC}[H \u009b31m \u202eevil\u2066`;
    const line = safeLine(hostile);
    expect(line).toBe("T\\u001b]2;title\\u0007Z \\u001b[2J\\u001b[H \\u009b31m \\u202eevil\\u2066");
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it("shows newlines and tabs of one-line fields as marks; blocks keep them", () => {
    expect(safeLine("a\nb\tc\rd")).toBe("a↵b⇥c\\u000dd");
    expect(safeBlock("a\nb\tc\rd")).toBe("a\nb\tc\\u000dd");
  });

  it("leaves ordinary text alone, CJK and emoji included", () => {
    const text = "Billing 請求 🧾 é — ok";
    expect(safeLine(text)).toBe(text);
  });

  it("jsonSafe keeps JSON valid and equal in meaning", () => {
    const json = JSON.stringify({ t: "x\u202ey\u2028z\u0085" });
    const safe = jsonSafe(json);
    expect(safe).not.toMatch(/[\u0085\u2028\u202e]/);
    expect(JSON.parse(safe)).toEqual(JSON.parse(json));
  });
});
