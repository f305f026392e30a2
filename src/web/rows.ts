import { isUtf8 } from "node:buffer";
import { getPath } from "../core/events/paths.js";
import type { Exchange } from "../core/exchanges/exchange.js";
import { isPlainObject, tryParseJson } from "../core/json.js";

/*
 * What the page is sent of an exchange: a row for the list, and its details when it is opened.
 * Plain data: the page puts every field into the document as text, never as markup.
 */

export interface PageRow {
  seq: number;
  received_at: string;
  method: string;
  path: string;
  event_type: string | null;
  event_id: string | null;
  title: string | null;
  /** Why it was turned away, when it was. */
  error: string | null;
  signature: { status: string; header: string | null };
  schema: "valid" | "invalid" | null;
  status: number | null;
  forward_status: number | null;
  forwarded: boolean;
  /** How long the app took to answer, when forwarded. */
  duration_ms: number | null;
  aborted: boolean;
  /** The ticket's id (`data.ticket.id`), when the body is a small JSON event. */
  ticket_id: string | null;
  /** Sent from the page or the terminal UI as a copy of this row: replayed, or edited. */
  edited_from: number | null;
  replayed: boolean;
}

export interface PageDetails extends PageRow {
  /** In the order received: [name, value] pairs. */
  headers: Array<[string, string]>;
  signature_reason: string | null;
  validation_errors: Array<{ path: string; message: string; expected: string; actual: string }>;
  validation_warnings: Array<{ path: string; message: string }>;
  /** The body as text when it is UTF-8; else base64 (`body_encoding`). */
  body: string;
  body_encoding: "utf8" | "base64";
  /** The body was dropped from memory (an old row kept as a summary). */
  body_dropped: boolean;
  forward: Exchange["forward"];
}

/** Characters of a text a row carries (a list cell shows fewer): a title may be 1 MB long. */
const ROW_TEXT = 300;
const cut = (text: string | null) =>
  text !== null && text.length > ROW_TEXT ? `${text.slice(0, ROW_TEXT)}…` : text;

export function pageRow(ex: Exchange): PageRow {
  const v = ex.verdict;
  return {
    seq: ex.seq,
    received_at: ex.receivedAt.toISOString(),
    method: cut(ex.request.method) ?? "",
    path: cut(ex.request.url) ?? "",
    event_type: cut(v.eventType),
    event_id: cut(v.eventId),
    title: cut(v.title),
    error: v.rejected || ex.aborted ? cut(v.error) : null,
    signature: { status: v.signature.status, header: v.signature.header },
    schema: v.validation === null ? null : v.validation.valid ? "valid" : "invalid",
    status: ex.status,
    forward_status: ex.forward?.status ?? null,
    forwarded: ex.forward !== null,
    duration_ms: ex.forward?.duration_ms ?? null,
    aborted: ex.aborted,
    ticket_id: cut(ticketId(ex.request.body)),
    edited_from: ex.editedFrom ?? null,
    replayed: ex.replayed === true,
  };
}

/** Issues shown at most; a recording's verdict is outside data, of any shape: objects only. */
const MAX_ISSUES = 200;
function listOf<T>(issues: readonly T[] | undefined): T[] {
  if (!Array.isArray(issues)) return [];
  return issues.filter((i) => typeof i === "object" && i !== null).slice(0, MAX_ISSUES);
}

/** Bodies larger than this are not parsed for a row's ticket id. */
const TICKET_ID_MAX_BODY = 64 * 1024;

function ticketId(body: Buffer): string | null {
  if (body.length === 0 || body.length > TICKET_ID_MAX_BODY) return null;
  const parsed = tryParseJson(body.toString("utf8"));
  if (!parsed.ok || !isPlainObject(parsed.value)) return null;
  const id = getPath(parsed.value, ["data", "ticket", "id"]);
  return typeof id === "string" || typeof id === "number" ? String(id) : null;
}

export function pageDetails(ex: Exchange): PageDetails {
  const body = ex.request.body;
  const text = isUtf8(body);
  const headers: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(ex.request.headers)) {
    for (const one of Array.isArray(value) ? value : [value ?? ""]) headers.push([name, one]);
  }
  return {
    ...pageRow(ex),
    headers,
    signature_reason: ex.verdict.signature.reason,
    validation_errors: listOf(ex.verdict.validation?.errors).map((e) => ({
      path: String(e.path),
      message: String(e.message),
      expected: String(e.expected),
      actual: String(e.actual),
    })),
    validation_warnings: listOf(ex.verdict.validation?.warnings).map((w) => ({
      path: String(w.path),
      message: String(w.message),
    })),
    body: text ? body.toString("utf8") : body.toString("base64"),
    body_encoding: text ? "utf8" : "base64",
    body_dropped: ex.summary !== undefined,
    forward: ex.forward,
  };
}
