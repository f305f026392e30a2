import { describe, expect, it } from "vitest";
import { composeEvent, invalidEventError } from "../../src/core/delivery/compose.js";
import { loadTemplate } from "../../src/core/events/templates.js";
import { validateEvent } from "../../src/core/validation/validate.js";
import { BUNDLED } from "../helpers/lookup.js";

// biome-ignore lint/suspicious/noExplicitAny: test fixtures are edited freely
type Mutable = Record<string, any>;

const lookup = BUNDLED;
const template = (name: string): Mutable =>
  structuredClone(loadTemplate(name, lookup).value) as Mutable;

describe("semantic rules run beside schema errors", () => {
  it('a created with is_open:false and teammate_id:"x" reports both', () => {
    const event = template("created");
    event.data.ticket.is_open = false;
    event.data.ticket.teammate_id = "x";
    const { errors } = validateEvent(event);
    expect(errors.map((e) => [e.rule, e.path])).toEqual([
      ["schema", "data.ticket.teammate_id"],
      ["open-state", "data.ticket.is_open"],
    ]);
  });

  it("data.reply on an invalid created is the event-type-shape error, not a warning", () => {
    const event = template("created");
    event.data.ticket.teammate_id = "x";
    event.data.reply = structuredClone(template("updated").data.reply);
    const result = validateEvent(event);
    expect(result.errors.map((e) => e.rule)).toContain("event-type-shape");
    expect(result.warnings.map((w) => w.path)).not.toContain("data.reply");
  });

  it("a rule whose fields are mistyped does not run (no crash, no second error there)", () => {
    const event = template("updated");
    event.data.ticket.replies = "none";
    event.data.ticket.updated_at = "soon";
    const { errors } = validateEvent(event);
    expect(errors.every((e) => e.rule === "schema")).toBe(true);
  });
});

describe("messages", () => {
  it("name the path once: the path is not repeated in the message", () => {
    const event = template("created");
    delete event.data.ticket.subcategory;
    event.data.ticket.created_at = "yesterday";
    for (const e of validateEvent(event).errors) expect(e.message).not.toContain(e.path);
    const resolved = template("resolved");
    resolved.data.ticket.is_open = true;
    const [open] = validateEvent(resolved).errors;
    expect(open?.message).not.toContain("data.ticket.is_open");
  });

  it("updated-reply-last shows what differs", () => {
    const event = template("updated");
    event.data.reply.text = "edited";
    const [e] = validateEvent(event).errors;
    expect(e?.rule).toBe("updated-reply-last");
    expect(e?.message).toMatch(
      /differs from the last reply, data\.ticket\.replies\[\d+\], in text$/,
    );
    expect(e?.actual).toBe('text "edited"');
    expect(e?.expected).not.toBe(e?.actual);
  });

  it("an event made invalid by --set says so instead of blaming the template", () => {
    const event = composeEvent("created", {
      lookup,
      env: {},
      overrides: { set: [["data.ticket.is_open", false]] },
    });
    expect(event.invalidByEdits).toBe(true);
    const error = invalidEventError(event);
    expect(error.message).toMatch(
      /^your data\/set\/unset edits \(--data\/--set\/--unset\) made the whitelabel-ticket-created from .* invalid/,
    );
    expect(error.hint).toContain("The template itself is valid");
    const plain = composeEvent("created", { lookup, env: {}, overrides: { set: [["data.x", 1]] } });
    expect(plain.invalidByEdits).toBeUndefined();
  });
});
