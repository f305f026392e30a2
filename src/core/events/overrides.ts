import { usageError } from "../errors.js";
import { isPlainObject, ownValue, setOwn } from "../json.js";
import { formatPath, type PathSegment, parsePath, setPath, unsetPath } from "./paths.js";

/** Edits applied to a rendered event, in this order: data merge, sets, unsets. */
export interface Overrides {
  /** Deep-merged into the event (objects merge, anything else replaces). */
  data?: unknown;
  /** `[path, value]` pairs, applied in order. */
  set?: ReadonlyArray<readonly [string, unknown]>;
  /** Paths to remove. */
  unset?: readonly string[];
}

/** `path=value` → [path, value]; the value is parsed as JSON when it is valid JSON, else a string. */
export function parseAssignment(text: string, forceString = false): [string, unknown] {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw usageError(
      "BAD_SET",
      `invalid assignment "${text}": expected path=value`,
      'e.g. --set data.ticket.title="Printer on fire" or --set data.ticket.is_open=false',
    );
  }
  const path = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  parsePath(path); // fail early on a bad path
  if (forceString) return [path, raw];
  try {
    return [path, JSON.parse(raw)];
  } catch {
    return [path, raw];
  }
}

export function deepMerge(target: unknown, patch: unknown, path: PathSegment[] = []): unknown {
  if (!isPlainObject(patch)) return patch;
  if (!isPlainObject(target)) {
    if (path.length === 0) {
      throw usageError(
        "BAD_DATA",
        "the event is not a JSON object, so data (--data) cannot merge into it",
      );
    }
    return patch;
  }
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    setOwn(out, key, deepMerge(ownValue(target, key), value, [...path, key]));
  }
  return out;
}

/** Applies overrides to a copy of the event; a path through a non-object is a usage error. */
export function applyOverrides(event: unknown, overrides: Overrides): unknown {
  let out = structuredClone(event);
  if (overrides.data !== undefined) {
    if (!isPlainObject(overrides.data)) {
      throw usageError("BAD_DATA", "data (--data) must hold a JSON object to merge into the event");
    }
    out = deepMerge(out, overrides.data);
  }
  for (const [path, value] of overrides.set ?? []) setPath(out, parsePath(path), value);
  for (const path of overrides.unset ?? []) {
    if (!unsetPath(out, parsePath(path))) {
      throw usageError(
        "BAD_UNSET",
        `unset (--unset) ${path}: there is no ${formatPath(parsePath(path))} in the event`,
      );
    }
  }
  return out;
}
