import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeTemplateText, renderTemplate } from "../../src/core/events/placeholders.js";
import { exportBaseName, fileNamePart, RunNames } from "../../src/core/exchanges/export-names.js";
import {
  escapeStringToken,
  jsonTokens,
  reindentJson,
  TooDeep,
} from "../../src/core/json-indent.js";

const tokens = (text: string) => [...jsonTokens(text)].map((t) => t.raw);

// JSON texts with what a round trip through JavaScript values would change.
const hostileJson = fc.oneof(
  fc.json(),
  fc.constantFrom(
    '{"b":1,"2":2,"a":12345678901234567890}',
    '{"x":1.0,"y":1e2,"z":-0,"w":1.50}',
    '{"dup":1,"dup":2}',
    '["\\u00e9","\\/","é"]',
    '{"t":"{{env.TICKET_HOOKS_SECRET}}","u":"\\u007b\\u007bnow}}"}',
  ),
);

describe("re-indenting JSON keeps every token", () => {
  it("re-indented text parses to the same tokens", () => {
    fc.assert(
      fc.property(hostileJson, (text) => {
        const pretty = reindentJson(text);
        expect(tokens(pretty)).toEqual(tokens(text));
        // Laid out as JSON.stringify(v, null, 2) lays it out, where values survive a round trip.
        expect(JSON.parse(pretty)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("lays out like JSON.stringify(v, null, 2)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const compact = JSON.stringify(value);
        expect(reindentJson(compact)).toBe(JSON.stringify(value, null, 2));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps big integers, 1.0, key order and duplicate keys", () => {
    expect(reindentJson('{"b":1,"2":12345678901234567890,"a":1.0,"a":2}')).toBe(
      '{\n  "b": 1,\n  "2": 12345678901234567890,\n  "a": 1.0,\n  "a": 2\n}',
    );
  });

  it("refuses nesting past the limit, at any depth, without recursion", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(() => reindentJson(deep, { maxDepth: 1000 })).toThrow(TooDeep);
  });

  it("captured strings render back to themselves: no placeholder is expanded", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          // renderTemplate rebuilds objects by assignment, so a "__proto__" key is its own issue.
          fc.string().filter((k) => k !== "__proto__"),
          fc.string({ unit: fc.constantFrom("{", "}", "a", "env.", "now", " ", "\\") }),
        ),
        (value) => {
          const text = JSON.stringify(value);
          const escaped = reindentJson(text, {
            mapString: (raw) => escapeStringToken(raw, escapeTemplateText),
          });
          const rendered = renderTemplate(JSON.parse(escaped), { env: {} });
          expect(rendered).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 300 },
    );
    const secret = '{"title":"{{env.TICKET_HOOKS_SECRET}}","n":"\\u007b\\u007bnow}}"}';
    const escaped = reindentJson(secret, {
      mapString: (raw) => escapeStringToken(raw, escapeTemplateText),
    });
    expect(renderTemplate(JSON.parse(escaped), { env: { TICKET_HOOKS_SECRET: "s3cr3t" } })).toEqual(
      {
        title: "{{env.TICKET_HOOKS_SECRET}}",
        n: "{{now}}",
      },
    );
  });
});

describe("export file names", () => {
  it("distinct inputs never share a name; no hidden files; within the limit", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        expect(fileNamePart(a)).not.toBe(fileNamePart(b));
        expect(fileNamePart(a)).not.toMatch(/^\.|[/\\\0]/);
      }),
      { numRuns: 500 },
    );
    expect(fileNamePart("a/b")).not.toBe(fileNamePart("a_b"));
    expect(fileNamePart("..")).toBe("%2E.");
    const long = exportBaseName("t".repeat(300), "whev_1");
    expect(Buffer.byteLength(`${long}-99.json`)).toBeLessThanOrEqual(255);
    expect(long).not.toBe(exportBaseName("t".repeat(301), "whev_1"));
  });

  it("several deliveries of one event get -2, -3 in one run", () => {
    const names = new RunNames();
    expect([names.next("x"), names.next("x"), names.next("x")]).toEqual([
      "x.json",
      "x-2.json",
      "x-3.json",
    ]);
  });
});
