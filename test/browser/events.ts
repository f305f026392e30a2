// Events for the page's tests: the documented example, numbered, with the fields a test sets.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PAYLOADS } from "../helpers/cli.js";

const TYPES = ["created", "updated", "assigned", "resolved"];
const templates = Object.fromEntries(
  TYPES.map((t) => [t, readFileSync(join(PAYLOADS, `whitelabel-ticket-${t}.json`), "utf8")]),
) as Record<string, string>;

export function eventBody(
  n: number,
  fields: { type?: string; title?: string; id?: string | number } = {},
): { body: string; eventId: string } {
  const event = JSON.parse(templates[fields.type ?? "created"] as string);
  const eventId = `whev_page${String(n).padStart(13, "0")}`;
  event.event_id = eventId;
  if (fields.title !== undefined) event.data.ticket.title = fields.title;
  if (fields.id !== undefined) event.data.ticket.id = fields.id;
  return { body: JSON.stringify(event), eventId };
}
