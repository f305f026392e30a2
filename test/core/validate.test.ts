import { describe, expect, it } from "vitest";
import { loadTemplate } from "../../src/core/events/templates.js";
import { validateEvent } from "../../src/core/validation/validate.js";
import { BUNDLED } from "../helpers/lookup.js";

// biome-ignore lint/suspicious/noExplicitAny: test fixtures are edited freely
type Mutable = Record<string, any>;

function template(name: string): Mutable {
  return structuredClone(loadTemplate(name, BUNDLED).value) as Mutable;
}

function errorsOf(value: unknown) {
  const result = validateEvent(value);
  expect(result.valid).toBe(false);
  return result.errors;
}

describe("schema errors", () => {
  it("reports a missing field with its path", () => {
    const event = template("created");
    delete event.data.ticket.title;
    expect(errorsOf(event)).toEqual([
      {
        rule: "schema",
        path: "data.ticket.title",
        message: "is required",
        expected: "present",
        actual: "missing",
      },
    ]);
  });

  it("reports a wrong type with expected and actual", () => {
    const event = template("created");
    event.data.ticket.created_at = "yesterday";
    expect(errorsOf(event)).toContainEqual(
      expect.objectContaining({
        path: "data.ticket.created_at",
        expected: "integer",
        actual: '"yesterday"',
      }),
    );
  });

  it("checks UUIDs, the whev_ id pattern and nullable fields", () => {
    const event = template("created");
    event.data.ticket.id = "not-a-uuid";
    event.event_id = "evt_123";
    event.data.ticket.teammate_id = 42;
    event.data.ticket.replies[0].assets = "none";
    const paths = errorsOf(event).map((e) => [e.path, e.expected]);
    expect(paths).toEqual(
      expect.arrayContaining([
        ["data.ticket.id", "uuid (format)"],
        ["event_id", "a string matching ^whev_[a-z0-9]{17}$"],
        ["data.ticket.teammate_id", "null or string"],
        ["data.ticket.replies[0].assets", "null or array"],
      ]),
    );
  });

  it("accepts assets as an array of attachment objects", () => {
    const event = template("created");
    event.data.ticket.replies[0].assets = [{ url: "https://example.test/a.png", name: "a.png" }];
    expect(validateEvent(event)).toMatchObject({ valid: true, warnings: [] });
  });

  it("reports undocumented fields as warnings, not errors", () => {
    const event = template("assigned");
    event.data.ticket.priority = "high";
    event.new_top_level = true;
    const result = validateEvent(event);
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => w.path)).toEqual(["data.ticket.priority", "new_top_level"]);
  });

  it("rejects an unknown event type and a non-object", () => {
    const event = template("created");
    event.event_type = "whitelabel-ticket-deleted";
    expect(errorsOf(event)[0]).toMatchObject({ rule: "event-type", path: "event_type" });
    expect(errorsOf([1, 2])[0]).toMatchObject({ path: "$", expected: "object", actual: "array" });
  });
});

describe("semantic rules", () => {
  it("event-type-shape: only updated carries data.reply", () => {
    const event = template("created");
    event.data.reply = structuredClone(event.data.ticket.replies[1]);
    expect(errorsOf(event)).toEqual([
      expect.objectContaining({
        rule: "event-type-shape",
        message:
          "only whitelabel-ticket-updated carries a reply, and this is whitelabel-ticket-created",
      }),
    ]);
  });

  it("updated-reply-last: data.reply must be the last reply", () => {
    const event = template("updated");
    event.data.reply = structuredClone(event.data.ticket.replies[0]);
    expect(errorsOf(event)).toEqual([
      expect.objectContaining({
        rule: "updated-reply-last",
        message: expect.stringMatching(
          /^differs from the last reply, data\.ticket\.replies\[\d+\], in /,
        ),
      }),
    ]);
  });

  it("open-state: resolved must be closed", () => {
    const event = template("resolved");
    event.data.ticket.is_open = true;
    expect(errorsOf(event)).toEqual([
      expect.objectContaining({
        rule: "open-state",
        message: "must be false in whitelabel-ticket-resolved",
      }),
    ]);
  });

  it("open-state: the others must be open", () => {
    const event = template("updated");
    event.data.ticket.is_open = false;
    expect(errorsOf(event)).toEqual([
      expect.objectContaining({
        rule: "open-state",
        message: "must be true in whitelabel-ticket-updated (only resolved closes a ticket)",
      }),
    ]);
  });

  it("assigned-teammate: assigned names the new agent", () => {
    const event = template("assigned");
    event.data.ticket.teammate_id = null;
    expect(errorsOf(event)).toEqual([
      expect.objectContaining({
        rule: "assigned-teammate",
        message: "must name the new agent in whitelabel-ticket-assigned",
      }),
    ]);
  });

  it("updated-after-created: updated_at >= created_at", () => {
    const event = template("created");
    event.data.ticket.updated_at = event.data.ticket.created_at - 1;
    event.data.ticket.replies = [];
    expect(errorsOf(event)).toEqual([
      expect.objectContaining({
        rule: "updated-after-created",
        message: "is earlier than data.ticket.created_at",
      }),
    ]);
  });

  it("reply-not-newer: no reply is newer than updated_at", () => {
    const event = template("created");
    event.data.ticket.replies[1].created_at = event.data.ticket.updated_at + 60;
    expect(errorsOf(event)).toEqual([
      expect.objectContaining({
        rule: "reply-not-newer",
        path: "data.ticket.replies[1].created_at",
        message: "reply 1 is newer than the ticket's updated_at",
      }),
    ]);
  });
});

describe("an event with thousands of errors (a hostile sender)", () => {
  const base = template("created") as { data: { ticket: { replies: unknown[] } } };

  it("lists the errors of the first 100 items and says how many more there are", () => {
    const event = structuredClone(base);
    event.data.ticket.replies = Array.from({ length: 45_000 }, () => ({ id: 1, text: 2 }));
    const result = validateEvent(event);
    expect(result.valid).toBe(false);
    expect(result.errors.length).toBeLessThanOrEqual(201);
    expect(result.errors.at(-1)).toMatchObject({ rule: "more" });
    expect(result.errors[0]?.path).toMatch(/^data\.ticket\.replies\[0\]/);
  });

  it("still finds one bad item past the first 100", () => {
    const event = structuredClone(base);
    const reply = (event.data.ticket.replies[0] ?? {}) as Record<string, unknown>;
    event.data.ticket.replies = Array.from({ length: 5000 }, (_, i) => ({
      ...reply,
      id: `5a09992e-1e49-4dac-a731-${String(i).padStart(12, "0")}`,
    }));
    expect(validateEvent(event).valid).toBe(true);
    (event.data.ticket.replies[4321] as Record<string, unknown>).is_client_reply = "yes";
    const result = validateEvent(event);
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.path)).toContain("data.ticket.replies[4321].is_client_reply");
  });
});
