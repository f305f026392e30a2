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

/** One line per schema error, the most telling first: unknown keys, then wrong values. */
function schemaErrors(file: string, value: unknown, errors: readonly AjvError[]): string[] {
  const steps = isPlainObject(value) && Array.isArray(value.steps) ? value.steps : [];
  const lines: string[] = [];
  const ranked = [...errors].sort(
    (a, b) =>
      Number(b.keyword === "additionalProperties") - Number(a.keyword === "additionalProperties"),
  );
  const seen = new Set<string>();
  for (const error of ranked) {
    // anyOf branches say little alone; the anyOf error itself names the key.
    if (
      ranked.some(
        (e) => e.keyword === "anyOf" && error.instancePath.startsWith(`${e.instancePath}/`),
      )
    )
      continue;
    if (
      error.keyword !== "anyOf" &&
      ranked.some((e) => e.keyword === "anyOf" && e.instancePath === error.instancePath)
    )
      continue;
    const { at, key } = where(file, steps, error.instancePath);
    let line: string;
    if (error.keyword === "additionalProperties") {
      const extra = String(error.params.additionalProperty);
      const known = Object.keys(error.parentSchema?.properties ?? {});
      const full = key ? `${key}.${extra}` : extra;
      line = `${at}: unknown key "${full}"${didYouMeanSuffix(extra, known)}; known keys: ${known.join(", ")}`;
    } else if (error.keyword === "required") {
      line = `${at}: "${key ? `${key}.` : ""}${String(error.params.missingProperty)}" is required`;
    } else if (key === "steps" && error.keyword === "minItems") {
      line = `${file}: expected {"steps": [ … ]} with at least one step`;
    } else if (STEP_KEY_RULES[key] && /^steps\/\d+\//.test(error.instancePath.slice(1))) {
      line = `${at}: "${key}" ${STEP_KEY_RULES[key]}`;
    } else if (error.keyword === "anyOf" && key.startsWith("expect.status")) {
      line = `${at}: "${key}" must be a status (200), a class ("2xx"), or a list of them`;
    } else {
      line = `${at}: "${key || "(the file)"}" ${error.message ?? "is invalid"}`;
    }
    if (!seen.has(line)) lines.push(line);
    seen.add(line);
  }
  return lines;
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
    const kinds = (["event", "resend", "probe"] as const).filter((k) => step[k] !== undefined);
    if (kinds.length !== 1) {
      throw usageError(
        "BAD_SCENARIO",
        `${at}: a step has exactly one of "event", "resend" or "probe"${kinds.length ? ` (it has ${kinds.join(" and ")})` : ""}`,
      );
    }
    if (step.event !== undefined && !findEvent(step.event) && !files.exists(step.event)) {
      if (!looksLikePath(step.event)) {
        throw usageError(
          "UNKNOWN_EVENT",
          `${at}: unknown event "${step.event}"${didYouMeanSuffix(step.event, [...EVENT_NAMES, ...EVENT_TYPES])}`,
          `Use one of: ${EVENT_NAMES.join(", ")}, an event type, or a path to a JSON file.`,
        );
      }
    }
    if (step.resend !== undefined && !names.has(step.resend)) {
      throw usageError(
        "UNKNOWN_STEP",
        `${at}: "resend" names "${step.resend}", but no step of that name comes before it${didYouMeanSuffix(step.resend, names)}`,
      );
    }
    names.add(name);
    return { ...step, name };
  });
  return { name: file, steps };
}
