import { describe, expect, it } from "vitest";
import { detailsLines } from "../../src/ui/details-lines.js";
import { exchange, KEYS, setup } from "./ui-harness.js";

// Issue 23: 5,000 levels of `[` … `]` from any sender sat in the list, and opening the row
// overflowed the stack in JSON.stringify and stopped the listener. The details are laid out token
// by token, without recursion; past the depth they are shown as the raw text.

function withBody(text: string) {
  const ex = exchange(1, "created", "Deep");
  return { ...ex, request: { ...ex.request, body: Buffer.from(text) } };
}

describe("details of a deeply nested body", () => {
  it.each([5_000, 100_000])("%i levels: shown as raw text, no stack overflow", (depth) => {
    const body = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    const lines = detailsLines(withBody(body));
    const tail = lines.slice(lines.findIndex((l) => l.text.startsWith("Body (")));
    expect(tail[1]?.text).toMatch(/nested deeper than 1000 levels: shown as it came/);
    expect(
      tail
        .slice(2)
        .map((l) => l.text)
        .join(""),
    ).toBe(body);
  });

  it("a body within the depth is pretty-printed, its values as written", () => {
    const lines = detailsLines(withBody('{"big":12345678901234567890,"f":1.0,"a":[1,{"b":null}]}'));
    const body = lines.slice(lines.findIndex((l) => l.text.startsWith("Body (")) + 1);
    expect(body.map((l) => l.text)).toEqual([
      "{",
      '  "big": 12345678901234567890,',
      '  "f": 1.0,',
      '  "a": [',
      "    1,",
      "    {",
      '      "b": null',
      "    }",
      "  ]",
      "}",
    ]);
    expect(body.every((l) => l.style === "json")).toBe(true);
  });
});

describe("the live UI with a deeply nested body", () => {
  it("Enter on its row opens the details, the UI stays up", async () => {
    const { app, log, frame } = setup();
    log.add(withBody(`${"[".repeat(5000)}${"]".repeat(5000)}`));
    await frame((t) => t.includes("1/1"));
    app.stdin.write(KEYS.enter);
    await frame((t) => t.includes("nested deeper than 1000 levels"));
    app.unmount();
  });
});
