import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { composeEvent, expandSpecs, invalidEventError } from "../../src/core/delivery/compose.js";
import { tempDir } from "../helpers/cli.js";
import { bundled, lookupIn } from "../helpers/lookup.js";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const entropy = {
  now: () => 2_000_000_000,
  eventId: () => "whev_composedcompose12",
  uuid: () => "11111111-1111-4111-8111-111111111111",
};

describe("expandSpecs", () => {
  it("`all` is the four events in lifecycle order; anything else is kept", () => {
    expect(expandSpecs(["all"])).toEqual(["created", "updated", "assigned", "resolved"]);
    expect(expandSpecs(["ALL ", "x.json"])).toEqual([
      "created",
      "updated",
      "assigned",
      "resolved",
      "x.json",
    ]);
  });
});

describe("composeEvent", () => {
  it("a short name or an event type loads the bundled template, valid as is", () => {
    for (const spec of ["resolved", "whitelabel-ticket-resolved"]) {
      const c = composeEvent(spec, { lookup: lookupIn(tmp.dir), env: {} });
      expect(c).toMatchObject({ spec, origin: "bundled", validation: { valid: true } });
      expect(c.file).toMatch(/payloads\/whitelabel-ticket-resolved\.json$/);
      expect((c.value as { event_type: string }).event_type).toBe("whitelabel-ticket-resolved");
    }
  });

  it("a path is read as a JSON file, its placeholders rendered with the given env", () => {
    const file = join(tmp.dir, "e.json");
    writeFileSync(
      file,
      JSON.stringify({ event_id: "{{event_id}}", title: "{{env.WHO}}", at: "{{now}}" }),
    );
    const c = composeEvent(file, { ...bundled, env: { WHO: "Ada" }, allowEnv: ["WHO"], entropy });
    expect(c.origin).toBe("file");
    expect(c.value).toEqual({
      event_id: "whev_composedcompose12",
      title: "Ada",
      at: 2_000_000_000,
    });
    expect(c.validation.valid).toBe(false); // not a ticket event: validated all the same
  });

  it("overrides, then --fresh, then validation of the result", () => {
    const c = composeEvent("created", {
      lookup: lookupIn(tmp.dir),
      env: {},
      overrides: { set: [["data.ticket.is_open", false]] },
      fresh: true,
      entropy,
    });
    const value = c.value as { event_id: string; data: { ticket: { updated_at: number } } };
    expect(value.event_id).toBe("whev_composedcompose12");
    expect(value.data.ticket.updated_at).toBe(2_000_000_000);
    expect(c.validation.valid).toBe(false);
    expect(c.validation.errors.map((e) => e.path)).toEqual(["data.ticket.is_open"]);
  });

  it("an unknown name that is no file is a usage error listing the names", () => {
    expect(() => composeEvent("deleted", bundled)).toThrow(
      expect.objectContaining({ code: "UNKNOWN_EVENT", kind: "usage" }),
    );
    expect(() => composeEvent("deleted", bundled)).toThrow(
      expect.objectContaining({
        hint: expect.stringContaining("created, updated, assigned, resolved, all"),
      }),
    );
    expect(() => composeEvent(join(tmp.dir, "missing.json"), bundled)).toThrow(/no such file/);
  });

  it("invalidEventError lists every error as path, message, expected and got", () => {
    const c = composeEvent("resolved", {
      lookup: lookupIn(tmp.dir),
      env: {},
      overrides: {
        set: [
          ["data.ticket.is_open", true],
          ["data.ticket.updated_at", 1],
        ],
      },
    });
    const error = invalidEventError(c);
    expect(error).toMatchObject({ code: "INVALID_EVENT", kind: "usage" });
    const count = c.validation.errors.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(error.message).toMatch(
      new RegExp(
        `made the whitelabel-ticket-resolved .* invalid \\(${count} error\\(s\\)\\); nothing was sent$`,
      ),
    );
    expect(error.details).toHaveLength(count);
    expect(error.details.join("\n")).toMatch(
      /^data\.ticket\.is_open: .*\(expected false, got true\)$/m,
    );
    expect(error.details.join("\n")).toMatch(/^data\.ticket\.updated_at: /m);
    expect(error.hint).toContain("--skip-validation");
  });
});
