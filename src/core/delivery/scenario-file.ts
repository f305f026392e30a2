import { scenario as validateScenario } from "../../generated/validators.js";
import { usageError } from "../errors.js";
import { EVENT_NAMES, EVENT_TYPES, findEvent } from "../events/catalogue.js";
import type { Files } from "../files.js";
import { isPlainObject, parseJsonOrThrow } from "../json.js";
import { didYouMeanSuffix } from "../suggest.js";
import { looksLikePath } from "./compose.js";
import type { Expectation } from "./expectations.js";

// Scenario files: checked against payloads/schemas/scenario.schema.json by Ajv code generated at
// build time (src/codegen/generate.mjs), then for what a schema cannot say (names, references,
// event names). Every error names the file, the step and the key.

export const SCENARIO_VERSION = 1;

export interface ProbeSpec {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ScenarioStep {
  name: string;
  /** Event name, type or JSON file, as for `send`. */
  event?: string;
  /** An earlier step whose exact body is delivered again (freshly signed). */
  resend?: string;
  /** A request to the developer's own app. */
  probe?: ProbeSpec;
  /** path → value; values may use placeholders and `{{steps.<name>.<path>}}`. */
  set?: Record<string, unknown>;
  unset?: string[];
  /** Wait before this step. */
  delay_ms?: number;
  /** Replaces the default rule (a 2xx answer). */
  expect?: Expectation;
}

export interface Scenario {
  name: string;
  steps: ScenarioStep[];
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: { properties?: Record<string, unknown> };
}

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

function where(file: string, steps: unknown[], pointer: string): { at: string; key: string } {
  const parts = pointer.split("/").slice(1);
  if (parts[0] !== "steps" || parts[1] === undefined) return { at: file, key: parts.join(".") };
  const index = Number(parts[1]);
  const raw = steps[index];
  const name = isPlainObject(raw) && typeof raw.name === "string" ? ` ("${raw.name}")` : "";
  return { at: `${file}: step ${index + 1}${name}`, key: parts.slice(2).join(".") };
}

/** What a step's own keys must hold, said plainly (Ajv's words are about the schema). */
const STEP_KEY_RULES: Record<string, string> = {
  name: "must be a non-empty string",
  event: "must be an event name, type or file",
  resend: "must name an earlier step",
  set: "must be an object of path → value",
  unset: "must be a list of paths",
  delay_ms: "must be a number >= 0",
};

/** An anyOf's branches say little alone (the anyOf error itself names the key): skipped. */
function isAnyOfDetail(error: AjvError, all: readonly AjvError[]): boolean {
  return all.some(
    (e) =>
      e.keyword === "anyOf" &&
      (error.instancePath.startsWith(`${e.instancePath}/`) ||
        (error.keyword !== "anyOf" && e.instancePath === error.instancePath)),
  );
}

/** One schema error in plain words, at its step and key. */
function schemaErrorLine(file: string, at: string, key: string, error: AjvError): string {
  if (error.keyword === "additionalProperties") {
    const extra = String(error.params.additionalProperty);
    const known = Object.keys(error.parentSchema?.properties ?? {});
    const full = key ? `${key}.${extra}` : extra;
    return `${at}: unknown key "${full}"${didYouMeanSuffix(extra, known)}; known keys: ${known.join(", ")}`;
  }
  if (error.keyword === "required") {
    return `${at}: "${key ? `${key}.` : ""}${String(error.params.missingProperty)}" is required`;
  }
  if (key === "steps" && error.keyword === "minItems") {
    return `${file}: expected {"steps": [ … ]} with at least one step`;
  }
  if (STEP_KEY_RULES[key] && /^steps\/\d+\//.test(error.instancePath.slice(1))) {
    return `${at}: "${key}" ${STEP_KEY_RULES[key]}`;
  }
  if (error.keyword === "anyOf" && key.startsWith("expect.status")) {
    return `${at}: "${key}" must be a status (200), a class ("2xx"), or a list of them`;
  }
  return `${at}: "${key || "(the file)"}" ${error.message ?? "is invalid"}`;
}

/** One line per schema error, the most telling first: unknown keys, then wrong values. */
function schemaErrors(file: string, value: unknown, errors: readonly AjvError[]): string[] {
  const steps = isPlainObject(value) && Array.isArray(value.steps) ? value.steps : [];
  const ranked = [...errors].sort(
    (a, b) =>
      Number(b.keyword === "additionalProperties") - Number(a.keyword === "additionalProperties"),
  );
  const lines = ranked
    .filter((error) => !isAnyOfDetail(error, ranked))
    .map((error) => {
      const { at, key } = where(file, steps, error.instancePath);
      return schemaErrorLine(file, at, key, error);
    });
  return [...new Set(lines)];
}

/** A step's own checks, beyond the schema's: one kind, a known event, an earlier step resent. */
function checkStep(step: ScenarioStep, at: string, names: ReadonlySet<string>, files: Files): void {
  const kinds = (["event", "resend", "probe"] as const).filter((k) => step[k] !== undefined);
  if (kinds.length !== 1) {
    const has = kinds.length ? ` (it has ${kinds.join(" and ")})` : "";
    throw usageError(
      "BAD_SCENARIO",
      `${at}: a step has exactly one of "event", "resend" or "probe"${has}`,
    );
  }
  const event = step.event;
  if (event !== undefined && !findEvent(event) && !files.exists(event) && !looksLikePath(event)) {
    throw usageError(
      "UNKNOWN_EVENT",
      `${at}: unknown event "${event}"${didYouMeanSuffix(event, [...EVENT_NAMES, ...EVENT_TYPES])}`,
      `Use one of: ${EVENT_NAMES.join(", ")}, an event type, or a path to a JSON file.`,
    );
  }
  if (step.resend !== undefined && !names.has(step.resend)) {
    throw usageError(
      "UNKNOWN_STEP",
      `${at}: "resend" names "${step.resend}", but no step of that name comes before it${didYouMeanSuffix(step.resend, names)}`,
    );
  }
}

/** Reads and checks a scenario file: `{ "version": 1, "steps": [...] }` or a bare array of steps. */
export function loadScenarioFile(file: string, files: Files): Scenario {
  const parsed = parseJsonOrThrow(files.readText(file), file);
  const value = Array.isArray(parsed) ? { steps: parsed } : parsed;
  const validate = validateScenario as unknown as Validator;
  if (!validate(value)) {
    const lines = schemaErrors(file, value, validate.errors ?? []);
    throw usageError(
      "BAD_SCENARIO",
      lines.length === 1
        ? (lines[0] as string)
        : `${file}: ${lines.length} errors\n  ${lines.join("\n  ")}`,
      "The format is published as payloads/schemas/scenario.schema.json (ticket-hooks/schemas/scenario.schema.json).",
    );
  }
  const raw = (value as { steps: ScenarioStep[] }).steps;
  const names = new Set<string>();
  const steps = raw.map((step, i): ScenarioStep => {
    const name = step.name ?? `step${i + 1}`;
    const at = `${file}: step ${i + 1} ("${name}")`;
    if (names.has(name))
      throw usageError("BAD_SCENARIO", `${at}: the name "${name}" is used twice`);
    checkStep(step, at, names, files);
    names.add(name);
    return { ...step, name };
  });
  return { name: file, steps };
}
