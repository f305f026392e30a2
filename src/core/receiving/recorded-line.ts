import { isPlainObject, tryParseJson } from "../json.js";
import type { ValidationResult } from "../validation/types.js";
import { type Exchange, type ForwardResult, recordedBody } from "./exchange.js";
import type { ExchangeFilter } from "./exchange-query.js";
import { type IncomingRequest, receive, type SignatureVerdict, type Verdict } from "./receive.js";

/*
 * The fields of one recording line, read without parsing its embedded body.
 *
 * A `listen --record` line ends with the body's exact bytes when they are JSON
 * (`"body_encoding":"json","body_start":<byte offset>,"body":<bytes>}`, see line-encoder.ts). A
 * replay needs the fields before the body and the body as bytes, never the body parsed: so only
 * the head (the bytes before `body_start`, closed with `null}`) is parsed, and the body is taken as
 * the byte slice. A cut line is still told from a whole one: the body's brackets balance (outside
 * strings), which every proper prefix of a line the listener wrote fails. The scan is skipped when
 * the body is as long as the request's recorded Content-Length and holds no other line's fields: a
 * cut line is shorter, and a cut line that another line ran on into (a crash, then something
 * appending without a line break first) carries that line's `"body_encoding":` in its "body".
 * Any line that does not have that shape (other encodings, lines written by hand, other programs)
 * is parsed whole: `recordOfLineWhole`, the reference the property test pins this reader to.
 */

/** The field that precedes the body's byte offset; it comes first in the line's own fields. */
const MARKER = Buffer.from(',"body_encoding":"json","body_start":');
const BODY_KEY = Buffer.from(',"body":');
const CLOSE = 0x7d; // }
/** A field of every recording line: in a body, it means another line ran on into it. */
const ANOTHER_LINE = Buffer.from('"body_encoding":"');

/**
 * The record of a line (a JSON object holding a `body` field; for embedded JSON bodies the
 * `body` field is null and `body_start` locates the bytes: see `recordedBody`), `"blank"` for a
 * line of white space, or null when it is not a complete recorded request.
 */
export function recordOfLine(bytes: Buffer): Record<string, unknown> | "blank" | null {
  const start = embeddedBodyStart(bytes);
  if (start !== -1) {
    const head = tryParseJson(`${bytes.toString("utf8", 0, start)}null}`);
    if (
      head.ok &&
      isPlainObject(head.value) &&
      head.value.body_encoding === "json" &&
      head.value.body_start === start &&
      // The length check and the native search are cheap; the bracket scan reads the body byte
      // by byte in JavaScript (a fifth of a line's cost).
      ((declaredLength(head.value) === bytes.length - 1 - start &&
        bytes.indexOf(ANOTHER_LINE, start) === -1) ||
        balanced(bytes, start, bytes.length - 1))
    ) {
      return head.value;
    }
  }
  return recordOfLineWhole(bytes);
}

/** The reference: the whole line parsed, body included. */
export function recordOfLineWhole(bytes: Buffer): Record<string, unknown> | "blank" | null {
  const line = bytes.toString("utf8");
  if (line.trim() === "") return "blank";
  const parsed = tryParseJson(line);
  if (!parsed.ok || !isPlainObject(parsed.value) || !("body" in parsed.value)) return null;
  return parsed.value;
}

/** The request's Content-Length as recorded, when it is one decimal number; else -1. */
function declaredLength(record: Record<string, unknown>): number {
  const headers = record.headers;
  if (!isPlainObject(headers)) return -1;
  const value = headers["content-length"];
  return typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : -1;
}

/**
 * The byte offset where an embedded JSON body starts, when the line has the listener's shape
 * around it (the body running up to the line's final `}`); otherwise -1.
 */
function embeddedBodyStart(bytes: Buffer): number {
  if (bytes.length === 0 || bytes[bytes.length - 1] !== CLOSE) return -1;
  const marker = bytes.indexOf(MARKER);
  if (marker === -1) return -1;
  // The offset is padded with spaces to a fixed width, before or after its digits.
  let i = marker + MARKER.length;
  while (bytes[i] === 0x20) i++;
  let start = 0;
  const digitsFrom = i;
  for (let c = bytes[i]; c !== undefined && c >= 0x30 && c <= 0x39; c = bytes[++i]) {
    start = start * 10 + (c - 0x30);
  }
  if (i === digitsFrom || i - digitsFrom > 15) return -1;
  while (bytes[i] === 0x20) i++;
  if (i + BODY_KEY.length !== start || start >= bytes.length) return -1;
  if (bytes.compare(BODY_KEY, 0, BODY_KEY.length, i, start) !== 0) return -1;
  return start;
}

/** Whether `{`/`[` and `}`/`]` outside strings balance in bytes [from, to), never going below 0. */
function balanced(bytes: Buffer, from: number, to: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth < 0) return false;
  }
  return depth === 0 && !inString;
}

/*
 * A line back as the live UI's exchange (`inspect`), and a filter's answer from a line's head.
 */

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** The ticket's title in a parsed event, if it has one. */
function titleOf(event: unknown): string | null {
  if (!isPlainObject(event) || !isPlainObject(event.data)) return null;
  const ticket = event.data.ticket;
  return isPlainObject(ticket) ? str(ticket.title) : null;
}

/** Bodies recorded as a JSON string are parsed for their title up to this size. */
const TITLE_PARSE_LIMIT = 256 * 1024;

/**
 * The verdict as recorded, when the line holds it (`event_type` and `validation`, written by
 * every listen since they were added): nothing is validated again, so a line costs one parse.
 * Null for older lines.
 */
function recordedVerdict(
  record: Record<string, unknown>,
  signature: SignatureVerdict,
  status: number | null,
): Verdict | null {
  if (!("event_type" in record) || !("validation" in record)) return null;
  let title: string | null = null;
  if (record.body_encoding === "json") title = titleOf(record.body);
  else if (
    record.body_encoding === "utf8" &&
    typeof record.body === "string" &&
    record.body.length <= TITLE_PARSE_LIMIT
  ) {
    const body = tryParseJson(record.body);
    if (body.ok) title = titleOf(body.value);
  }
  return {
    status: status ?? 0,
    responseBody: "",
    rejected: record.rejected === true,
    error: str(record.error),
    signature,
    validation: isPlainObject(record.validation)
      ? (record.validation as unknown as ValidationResult)
      : null,
    event: undefined,
    eventType: str(record.event_type),
    eventId: str(record.event_id),
    title,
    filtered: false,
  };
}

function parseRecord(text: string): Record<string, unknown> {
  const parsed = tryParseJson(text);
  return parsed.ok && isPlainObject(parsed.value) ? parsed.value : {};
}

const ENCODING_FIELD = Buffer.from(',"body_encoding":');

/**
 * Whether a recorded line shows under an event-type and verdict filter (no search text), from
 * the fields before its body alone, without making an exchange: the quick way through millions
 * of lines. Null when the line does not have them as every listen writes them: parse it whole.
 */
export function headMatches(line: Buffer, filter: ExchangeFilter): boolean | null {
  const at = line.indexOf(ENCODING_FIELD);
  if (at === -1) return null;
  // A field of that name inside an object (a header's name) leaves the cut unbalanced: null.
  const parsed = tryParseJson(`${line.toString("utf8", 0, at)}}`);
  if (!parsed.ok || !isPlainObject(parsed.value)) return null;
  const r = parsed.value;
  if (!("event_type" in r) || !("validation" in r)) return null;
  if (filter.eventType !== null && str(r.event_type) !== filter.eventType) return false;
  const validation = isPlainObject(r.validation) ? r.validation : null;
  const forward = isPlainObject(r.forward) ? r.forward : null;
  switch (filter.verdict) {
    case "all":
      return true;
    case "invalid":
      return validation !== null && validation.valid !== true;
    case "rejected":
      return r.rejected === true || r.aborted === true;
    case "forward failed":
      // As forwardFailed() has it.
      return forward !== null && (forward.status === null || (forward.status as number) >= 400);
  }
}

/** A recorded line back as an exchange: its request, and the verdict as recorded. */
export function exchangeFromLine(line: Buffer, seq: number): Exchange {
  const record = parseRecord(line.toString("utf8"));
  const headers = isPlainObject(record.headers) ? (record.headers as Record<string, string>) : {};
  const request: IncomingRequest = {
    method: str(record.method) ?? "POST",
    url: str(record.path) ?? "/",
    headers,
    body: recordedBody(record, line),
  };
  const sig = isPlainObject(record.signature) ? record.signature : {};
  const signature: SignatureVerdict = {
    status: (str(sig.status) as SignatureVerdict["status"]) ?? "skipped",
    header: str(sig.header),
    reason: str(sig.reason),
  };
  const at = Date.parse(str(record.received_at) ?? "");
  const status = typeof record.status === "number" ? record.status : null;
  const forward = isPlainObject(record.forward)
    ? (record.forward as unknown as ForwardResult)
    : null;
  const base = {
    // Numbered by line: a recording appended to by several runs repeats their seq numbers.
    seq,
    receivedAt: new Date(Number.isNaN(at) ? 0 : at),
    request,
    status,
    forward,
    aborted: record.aborted === true,
  };
  const recorded = recordedVerdict(record, signature, status);
  if (recorded) return { ...base, verdict: recorded };
  // An older line: what it did not record is worked out again from the request.
  const verdict = receive(
    request,
    { path: request.url.split("?")[0] ?? "/" },
    Math.floor(Date.now() / 1000),
  );
  return {
    ...base,
    verdict: {
      ...verdict,
      status: status ?? verdict.status,
      rejected: record.rejected === true,
      error: str(record.error),
      signature,
      validation: isPlainObject(record.validation)
        ? (record.validation as unknown as NonNullable<typeof verdict.validation>)
        : verdict.validation,
      filtered: false,
      event: undefined,
    },
  };
}
