import { describe, expect, it } from "vitest";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import { editedBody } from "../../src/ui/edited-body.js";

const BODY = '{"big":12345678901234567890,"f":1.0,"dup":1,"dup":2,"e":1E2,"title":"Original"}';

const exchangeOf = (body: string | Buffer) =>
  ({ seq: 5, request: { body: Buffer.from(body) } }) as unknown as Exchange;

/** The editor: what it was shown, and what it saves (`change` applied to the text). */
function editor(change: (text: string) => string = (t) => t) {
  const shown: string[] = [];
  return {
    shown,
    edit: async (text: string) => {
      shown.push(text);
      return change(text);
    },
  };
}

describe("e: the event in the editor", () => {
  it("saved unchanged, the exact bytes go", async () => {
    for (const body of [BODY, "not json \u0001", Buffer.from([0x7b, 0xff, 0x7d])]) {
      const sent = await editedBody(exchangeOf(body), editor().edit);
      expect(sent.equals(Buffer.from(body))).toBe(true);
    }
  });

  it("shows every token as written, laid out, and changes only what was edited", async () => {
    const ports = editor((t) => t.replace('"Original"', '"Edited"'));
    const sent = (await editedBody(exchangeOf(BODY), ports.edit)).toString("utf8");
    expect(ports.shown[0]).toContain('\n  "big": 12345678901234567890,\n');
    expect(JSON.stringify(JSON.parse(sent))).toBe(
      JSON.stringify(JSON.parse(BODY.replace("Original", "Edited"))),
    );
    for (const token of ["12345678901234567890", '"f": 1.0', '"dup": 1', '"dup": 2', "1E2"]) {
      expect(sent).toContain(token);
    }
  });

  it("a body nested past the editor's layout is shown as it came", async () => {
    const deep = `${"[".repeat(5000)}${"]".repeat(5000)}`;
    const ports = editor();
    expect((await editedBody(exchangeOf(deep), ports.edit)).toString()).toBe(deep);
    expect(ports.shown[0]).toBe(deep);
  });
});
