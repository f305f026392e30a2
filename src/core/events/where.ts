import { usageError } from "../errors.js";
import { tryParseJson } from "../json.js";
import { getPath, type PathSegment, parsePath } from "./paths.js";

/*
 * `--where PATH=VALUE`: keep the events whose value at PATH (the `--set` path syntax) is VALUE.
 * VALUE matches a string field as typed; otherwise it is read as JSON (`=3`, `=false`, `=null`).
 */

export interface WhereClause {
  text: string;
  path: readonly PathSegment[];
  raw: string;
  /** The JSON text of VALUE when it is JSON, to compare numbers, booleans, null and objects. */
  json: string | undefined;
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
  let json: string | undefined;
  try {
    json = JSON.stringify(JSON.parse(raw));
  } catch {
    json = undefined;
  }
  return { text, path: parsePath(text.slice(0, eq).trim()), raw, json };
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
  return clause.json !== undefined && JSON.stringify(found) === clause.json;
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
