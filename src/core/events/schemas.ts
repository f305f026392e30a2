import { join } from "node:path";
import { type EventInfo, getEvent } from "./catalogue.js";
import { BUNDLED_TEMPLATES_DIR } from "./templates.js";

/** The JSON Schemas, shipped beside the templates (also importable as `ticket-hooks/schemas/*`). */
export const SCHEMAS_DIR = join(BUNDLED_TEMPLATES_DIR, "schemas");

/** Path of an event's JSON Schema file. */
export function schemaFile(event: string | EventInfo): string {
  const info = typeof event === "string" ? getEvent(event) : event;
  return join(SCHEMAS_DIR, `${info.type}.schema.json`);
}
