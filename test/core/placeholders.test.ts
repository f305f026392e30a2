import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TicketHooksError } from "../../src/core/errors.js";
import { newEventId } from "../../src/core/events/ids.js";
import { escapeTemplateText, renderTemplate } from "../../src/core/events/placeholders.js";
import { parseJsonOrThrow } from "../../src/core/json.js";

const entropy = (() => {
  let n = 0;
  return {
    uuid: () => `00000000-0000-4000-8000-00000000000${n++}`,
    eventId: () => "whev_aaaaaaaaaaaaaaaaa",
    now: () => 1700000000,
  };
})();

describe("renderTemplate", () => {
  it("replaces every placeholder; {{now}} alone becomes a number", () => {
    const out = renderTemplate(
      {
        event_id: "{{event_id}}",
        again: "{{ event_id }}",
        a: "{{uuid}}",
        b: "{{uuid}}",
        at: "{{now}}",
        text: "at {{now}} by {{env.AGENT}}",
        list: ["{{env.AGENT}}", 3, null, true],
      },
      { entropy, env: { AGENT: "Ada" }, allowEnv: ["AGENT"] },
    ) as Record<string, unknown>;
    expect(out.event_id).toBe("whev_aaaaaaaaaaaaaaaaa");
    expect(out.again).toBe(out.event_id);
    expect(out.a).not.toBe(out.b);
    expect(out.at).toBe(1700000000);
    expect(out.text).toBe("at 1700000000 by Ada");
    expect(out.list).toEqual(["Ada", 3, null, true]);
  });

  it("names the file and the placeholder when it is unknown", () => {
    const run = () =>
      renderTemplate({ data: { x: "{{process.exit()}}" } }, { source: "t.json", env: {} });
    expect(run).toThrow(TicketHooksError);
    expect(run).toThrow("t.json: unknown placeholder {{process.exit()}} at data.x");
  });

  it("names the file and variable when an env var is missing", () => {
    expect(() =>
      renderTemplate(
        { who: "{{env.NOPE_NOT_SET}}" },
        { source: "t.json", env: {}, allowEnv: ["NOPE_NOT_SET"] },
      ),
    ).toThrow(
      "t.json: placeholder {{env.NOPE_NOT_SET}} at who: environment variable NOPE_NOT_SET is not set",
    );
  });

  it("makes event ids of the documented shape", () => {
    for (let i = 0; i < 50; i++) expect(newEventId()).toMatch(/^whev_[a-z0-9]{17}$/);
  });
});

describe("parseJsonOrThrow", () => {
  it("gives file, line and column of broken JSON", () => {
    const text = '{\n  "a": 1,\n  "b": 2,\n}\n';
    expect(() => parseJsonOrThrow(text, "broken.json")).toThrow(/^broken\.json:4:1: invalid JSON/);
  });

  it("points at the end for truncated JSON", () => {
    expect(() => parseJsonOrThrow('{\n  "a": [1,', "cut.json")).toThrow(
      /^cut\.json:2:\d+: invalid JSON/,
    );
  });
});

describe("the {{{{ escape", () => {
  it("renders {{{{ as a literal {{ and never expands what follows", () => {
    expect(renderTemplate({ t: "{{{{env.SECRET}}" }, { env: { SECRET: "x" } })).toEqual({
      t: "{{env.SECRET}}",
    });
  });

  it("escapeTemplateText round-trips any text through rendering", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("{", "}", "a", " ", "e", "n", "v", ".") }),
        (s) => {
          expect(renderTemplate(escapeTemplateText(s), { env: {} })).toBe(s);
        },
      ),
    );
  });
});
