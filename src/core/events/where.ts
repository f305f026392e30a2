import { usageError } from "../errors.js";
import { deepEqual, tryParseJson } from "../json.js";
import { getPath, type PathSegment, parsePath } from "./paths.js";

/*
 * `--where PATH=VALUE`: keep the events whose value at PATH (the `--set` path syntax) is VALUE.
 * VALUE matches a string field as typed; otherwise it is read as JSON (`=3`, `=false`, `=null`).
 */

export interface WhereClause {
  text: string;
  path: readonly PathSegment[];
  raw: string;
  /** The JSON text of VALUE when it is JSON (compact), for quick checks on a line's bytes. */
  json: string | undefined;
  /** VALUE parsed, when it is JSON, to compare numbers, booleans, null and objects. */
  value?: unknown;
}

export function parseWhere(text: string): WhereClause {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw usageError(
      "BAD_WHERE",
      `invalid --where "${text}": expected PATH=VALUE`,
      "e.g. --where data.ticket.id=tkt_123 or --where data.ticket.is_open=false",
    );
  }
  const raw = text.slice(eq + 1);
  const parsed = tryParseJson(raw);
  const path = parsePath(text.slice(0, eq).trim());
  if (!parsed.ok) return { text, path, raw, json: undefined };
  return { text, path, raw, json: JSON.stringify(parsed.value), value: parsed.value };
}

function matchesOne(event: unknown, clause: WhereClause): boolean {
  let found: unknown;
  try {
    found = getPath(event, clause.path);
  } catch {
    return false;
  }
  if (found === undefined) return false;
  if (typeof found === "string") return found === clause.raw;
  // Compared without recursion: the event's value may be nested a million levels deep.
  return clause.json !== undefined && deepEqual(found, clause.value);
}

/** True when every clause holds for the event (no clauses: true). */
export function matchesWhere(event: unknown, clauses: readonly WhereClause[]): boolean {
  return clauses.every((clause) => matchesOne(event, clause));
}

/** The same for raw body bytes: a body that is not JSON matches no clause. */
export function bodyMatchesWhere(body: Buffer, clauses: readonly WhereClause[]): boolean {
  if (clauses.length === 0) return true;
  const parsed = tryParseJson(body.toString("utf8"));
  return parsed.ok && matchesWhere(parsed.value, clauses);
}
