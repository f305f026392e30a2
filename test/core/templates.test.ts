import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EVENTS } from "../../src/core/events/catalogue.js";
import { loadTemplate } from "../../src/core/events/templates.js";
import { validateEvent } from "../../src/core/validation/validate.js";
import { BUNDLED } from "../helpers/lookup.js";

/** The four examples as printed on the documentation page (a copy in fixtures/). */
function documentedExamples(): Map<string, unknown> {
  const page = readFileSync(
    join(import.meta.dirname, "../fixtures/ticket-events-page.txt"),
    "utf8",
  );
  const examples = new Map<string, unknown>();
  const body = page.slice(page.indexOf("Webhook Payload Examples"));
  for (const event of EVENTS) {
    const start = body.indexOf(`${event.type}\n{`) + event.type.length + 1;
    let depth = 0;
    let end = start;
    for (let i = start; i < body.length; i++) {
      if (body[i] === "{") depth++;
      if (body[i] === "}" && --depth === 0) {
        end = i + 1;
        break;
      }
    }
    // The page's "[email protected]" is an e-mail obfuscation artefact (see FACTS.md).
    const text = body.slice(start, end).replaceAll("[email protected]", "client.doe@plugnpaid.com");
    examples.set(event.type, JSON.parse(text));
  }
  return examples;
}

describe("bundled templates", () => {
  const examples = documentedExamples();

  it.each(EVENTS.map((e) => [e.name, e]))("%s is exactly the documented example", (_n, event) => {
    const template = loadTemplate(event.name, BUNDLED);
    expect(template.origin).toBe("bundled");
    expect(template.file.endsWith(`payloads/${event.type}.json`)).toBe(true);
    expect(template.value).toEqual(examples.get(event.type));
  });

  it.each(EVENTS.map((e) => [e.name, e]))(
    "%s validates with no errors and no warnings",
    (_n, event) => {
      const result = validateEvent(loadTemplate(event.type, BUNDLED).value);
      expect(result).toEqual({ valid: true, eventType: event.type, errors: [], warnings: [] });
    },
  );

  it("recovers the obfuscated e-mail", () => {
    const value = loadTemplate("created", BUNDLED).value as {
      data: { ticket: { client: { email: string } } };
    };
    expect(value.data.ticket.client.email).toBe("client.doe@plugnpaid.com");
  });
});
