import * as firstErrorValidators from "../../generated/first-error-validators.js";
import { unknownFieldWalkers } from "../../generated/unknown-field-walkers.js";
import * as validators from "../../generated/validators.js";
import { EVENTS, findEvent, isEventType } from "../events/catalogue.js";
import { formatPath, fromPointer } from "../events/paths.js";
import { isPlainObject } from "../json.js";
import { checkSemantics } from "./semantic.js";
import type { ValidationIssue, ValidationResult, ValidationWarning } from "./types.js";

export type { ValidationIssue, ValidationResult, ValidationWarning } from "./types.js";

/** The shape of an Ajv error object (standalone validators, `verbose: true`). */
interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
}

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

const VALIDATORS = validators as unknown as Record<string, Validator>;
const FIRST_ERROR = firstErrorValidators as unknown as Record<string, Validator>;

/** Errors listed at most: a hostile event's thousands would be kept with every request. */
const MAX_ISSUES = 200;

function capped(issues: ValidationIssue[]): ValidationIssue[] {
  if (issues.length <= MAX_ISSUES) return issues;
  const more = issues.length - MAX_ISSUES;
  return [
    ...issues.slice(0, MAX_ISSUES),
    {
      rule: "more",
      path: "$",
      message: `and ${more} more error(s) not listed`,
      expected: "-",
      actual: "-",
    },
  ];
}

/** Items of each array the errors are listed for (the whole event is still judged). */
const LISTED_ITEMS = 100;

/** A copy with each array cut to its first `LISTED_ITEMS` items (null when nothing was cut). */
function shortArrays(value: unknown): { value: unknown; cut: boolean } {
  if (Array.isArray(value)) {
    const items = value.slice(0, LISTED_ITEMS).map((v) => shortArrays(v));
    return {
      value: items.map((i) => i.value),
      cut: value.length > LISTED_ITEMS || items.some((i) => i.cut),
    };
  }
  if (!isPlainObject(value)) return { value, cut: false };
  let cut = false;
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const inner = shortArrays(v);
    cut ||= inner.cut;
    Object.defineProperty(copy, key, {
      value: inner.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { value: copy, cut };
}

/**
 * The schema's errors, in time linear in the event's size: the first-error validator judges the
 * whole event; when it fails, the errors are listed from a copy whose arrays hold their first 100
 * items, plus the first error of the whole when it lies past them.
 */
function schemaErrors(name: string, value: unknown): ValidationIssue[] {
  const first = FIRST_ERROR[name] as Validator;
  if (first(value)) return [];
  const firstIssues = schemaIssues(first.errors ?? []);
  const short = shortArrays(value);
  const all = VALIDATORS[name] as Validator;
  const listed = all(short.value) ? [] : schemaIssues(all.errors ?? []);
  const paths = new Set(listed.map((i) => i.path));
  return [...listed, ...firstIssues.filter((i) => !paths.has(i.path))];
}

function show(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function expectation(error: AjvError): string {
  const p = error.params;
  switch (error.keyword) {
    case "type":
      return String(p.type);
    case "format":
      return `${String(p.format)} (format)`;
    case "pattern":
      return `a string matching ${String(p.pattern)}`;
    case "const":
      return show(p.allowedValue);
    case "minimum":
      return `>= ${String(p.limit)}`;
    default:
      return error.message ?? error.keyword;
  }
}

/** Ajv errors → one issue per path; the branches of an `anyOf` are merged into one expectation. */
function schemaIssues(errors: readonly AjvError[]): ValidationIssue[] {
  const byPath = new Map<string, AjvError[]>();
  for (const error of errors) {
    const segments = fromPointer(error.instancePath);
    if (error.keyword === "required") segments.push(String(error.params.missingProperty));
    const key = formatPath(segments);
    byPath.set(key, [...(byPath.get(key) ?? []), error]);
  }
  const issues: ValidationIssue[] = [];
  for (const [path, group] of byPath) {
    const required = group.filter((e) => e.keyword === "required");
    if (required.length > 0) {
      issues.push({
        rule: "schema",
        path,
        message: "is required",
        expected: "present",
        actual: "missing",
      });
      continue;
    }
    const branches = group.filter((e) => e.keyword !== "anyOf");
    const expected = [...new Set(branches.map(expectation))].join(" or ");
    const actual = show(group[0]?.data);
    issues.push({ rule: "schema", path, message: `must be ${expected}`, expected, actual });
  }
  return issues;
}

/**
 * Validates one parsed event: the JSON Schema of its event type, then the semantic rules.
 * Undocumented fields are warnings, never errors.
 */
export function validateEvent(value: unknown): ValidationResult {
  if (!isPlainObject(value)) {
    return {
      valid: false,
      eventType: undefined,
      errors: [
        {
          rule: "schema",
          path: "$",
          message: "an event must be a JSON object",
          expected: "object",
          actual: Array.isArray(value) ? "array" : show(value),
        },
      ],
      warnings: [],
    };
  }
  const type = value.event_type;
  if (!isEventType(type)) {
    return {
      valid: false,
      eventType: undefined,
      errors: [
        {
          rule: "event-type",
          path: "event_type",
          message: type === undefined ? "is required" : `unknown event type ${show(type)}`,
          expected: `one of ${EVENTS.map((e) => e.type).join(", ")}`,
          actual: show(type),
        },
      ],
      warnings: [],
    };
  }
  // The rules run even when the schema fails: each reads only fields that are present and typed.
  const errors = capped([
    ...schemaErrors(findEvent(type)?.name ?? "", value),
    ...checkSemantics(value),
  ]);
  const found: ValidationWarning[] = [];
  // Undocumented fields (generated walkers: this runs for every event `listen` receives).
  unknownFieldWalkers[type]?.(value, [], found);
  let warnings =
    found.length > MAX_ISSUES
      ? [
          ...found.slice(0, MAX_ISSUES),
          { path: "$", message: `and ${found.length - MAX_ISSUES} more undocumented field(s)` },
        ]
      : found;
  if (errors.length > 0 && found.length > 0) {
    const errorPaths = new Set(errors.map((e) => e.path));
    warnings = warnings.filter((w) => !errorPaths.has(w.path));
  }
  return { valid: errors.length === 0, eventType: type, errors, warnings };
}
