import { describe, expect, it } from "vitest";
import { renderTemplate } from "../../src/core/events/placeholders.js";

const env = { AGENT: "Ada", TICKET_HOOKS_SECRET: "whsec_do_not_leak_me" };

describe("renderTemplate and the environment", () => {
  it("reads no variable by default, and names the one asked for and how to allow it", () => {
    expect(() => renderTemplate({ who: "{{env.AGENT}}" }, { source: "t.json", env })).toThrow(
      "t.json: placeholder {{env.AGENT}} at who: environment variable AGENT is not allowed",
    );
    let hint = "";
    try {
      renderTemplate({ who: "{{env.AGENT}}" }, { env });
    } catch (error) {
      hint = (error as { hint: string }).hint;
    }
    expect(hint).toContain("--allow-env AGENT");
    expect(hint).toContain("TICKET_HOOKS_ALLOW_ENV=AGENT");
  });

  it("reads an allowed variable, inside text or as the whole value", () => {
    expect(
      renderTemplate({ a: "{{env.AGENT}}", b: "by {{ env.AGENT }}" }, { env, allowEnv: ["AGENT"] }),
    ).toEqual({ a: "Ada", b: "by Ada" });
  });

  it("never reads TICKET_HOOKS_SECRET, even when allowed", () => {
    const render = () =>
      renderTemplate(
        { t: "x {{env.TICKET_HOOKS_SECRET}}" },
        { env, allowEnv: ["TICKET_HOOKS_SECRET"] },
      );
    expect(render).toThrow("TICKET_HOOKS_SECRET never expands");
    expect(render).not.toThrow(/whsec_do_not_leak_me/);
  });

  it("the {{{{ escape never reads anything", () => {
    expect(renderTemplate({ t: "{{{{env.AGENT}}" }, { env })).toEqual({ t: "{{env.AGENT}}" });
  });
});
