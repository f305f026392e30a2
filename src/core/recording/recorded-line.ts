import { isUtf8 } from "node:buffer";
import type { Exchange, ForwardResult } from "../exchanges/exchange.js";
import type { ExchangeFilter } from "../exchanges/exchange-query.js";
import { isPlainObject, tryParseJson } from "../json.js";
import {
  type IncomingRequest,
  receive,
  rejectedVerdict,
  type SignatureVerdict,
  type Verdict,
} from "../receiving/receive.js";
import type { ValidationResult } from "../validation/types.js";

/*
 * The one way to read a line of a recording back: its fields, and its body's exact bytes.
 *
 * A `listen --record` line (line-encoder.ts) has its fields first and the body last:
 * - `…,"body_encoding":"json","body_start":<byte offset>,"body":<the body's bytes>}` when the
 *   body is JSON on one line, embedded as it came;
 * - `…,"body_encoding":"utf8"|"base64","body":"<the body as a JSON string>"}` otherwise.
 * The fields before the body are parsed on their own, and the body is taken as bytes (embedded) or
 * as its string token (decoded): no reader parses an embedded body, and a filter on the fields
 * decodes no body at all. A cut line is still told from a whole one: an embedded body's brackets
 * balance (outside strings), which every proper prefix of a line the listener wrote fails, and a
 * string body parses as one string. The bracket scan is skipped when the body is as long as the
 * request's recorded Content-Length and holds no other line's fields: a cut line is shorter, and a
 * cut line that another line ran on into (a crash, then something appending without a line break
 * first) carries that line's `"body_encoding":` in its "body". A line of any other shape (written
 * by hand, by another program) is parsed whole.
 */

/** The first of the fields that describe the body, after the request's own. */
const ENCODING_FIELD = Buffer.from(',"body_encoding":"');
/** An embedded body: the field that precedes its byte offset. */
const MARKER = Buffer.from(',"body_encoding":"json","body_start":');
const BODY_KEY = Buffer.from(',"body":');
/** A body written as a JSON string: its encoding, the key and the string's opening quote. */
const STRING_BODIES = [
  ["utf8", Buffer.from(',"body_encoding":"utf8","body":"')],
  ["base64", Buffer.from(',"body_encoding":"base64","body":"')],
] as const;
const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
/** A field of every recording line: in a body, it means another line ran on into it. */
const ANOTHER_LINE = Buffer.from('"body_encoding":"');

/** A recorded request read back from its line. */
export interface RecordedLine {
  /** The line's fields (the body's own among them when the line was parsed whole). */
  fields: Record<string, unknown>;
  /** The exact bytes of the request's body. */
  body: Buffer;
}

/** Where a line in the listener's layout has its own fields end and its body begin. */
interface Layout {
  /** The byte offset of `,"body":`: the fields before it are parsed on their own. */
  fieldsEnd: number;
  /** The byte offset of the body (embedded JSON), or of its string token's opening quote. */
  bodyStart: number;
  encoding: "json" | "utf8" | "base64";
}

/**
 * A line of a recording (without its line break): its fields and body, `"blank"` for a line of
 * white space, or null when it is not a complete recorded request.
 */
export function readRecordedLine(bytes: Buffer): RecordedLine | "blank" | null {
  if (!isRecordShaped(bytes)) return isBlank(bytes) ? "blank" : null;
  const layout = layoutOf(bytes);
  const fields = layout === null ? null : headFields(bytes, layout);
  if (layout !== null && fields !== null) {
    const body = bodyOf(bytes, layout, fields);
    if (body !== null) return { fields, body };
  }
  return readWhole(bytes);
}

/**
 * The fields of a recorded line but its body, the quick way through millions of lines; "blank"
 * or null as readRecordedLine. A line whose body is cut short still gives its fields: what it
 * shows is decided when it is read whole.
 */
export function readRecordedFields(bytes: Buffer): Record<string, unknown> | "blank" | null {
  if (!isRecordShaped(bytes)) return isBlank(bytes) ? "blank" : null;
  const layout = layoutOf(bytes);
  const fields = layout === null ? null : headFields(bytes, layout);
  if (fields !== null) return fields;
  const whole = readWhole(bytes);
  return whole === null || whole === "blank" ? whole : whole.fields;
}

/**
 * What every reader of a recording takes for a line that may be a recorded request (replay,
 * export, inspect's index): UTF-8 text from a `{` to a `}`. Any other line is skipped; a line of
 * this shape is then read whole (readRecordedLine) when it is used.
 */
export function isRecordShaped(bytes: Buffer): boolean {
  return (
    bytes.length >= 2 && bytes[0] === OPEN && bytes[bytes.length - 1] === CLOSE && isUtf8(bytes)
  );
}

/** A line of white space only (skipped without a word). */
function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

/**
 * Where the body's fields are, in a line of the listener's layout. The first `,"body_encoding":"`
 * is the line's own unless a header is named so: then the fields do not parse, and the line is
 * read whole.
 */
function layoutOf(bytes: Buffer): Layout | null {
  if (bytes.length === 0 || bytes[bytes.length - 1] !== CLOSE) return null;
  const at = bytes.indexOf(ENCODING_FIELD);
  if (at === -1) return null;
  if (startsAt(bytes, MARKER, at)) {
    const start = embeddedBodyStart(bytes, at);
    if (start === -1) return null;
    return { fieldsEnd: start - BODY_KEY.length, bodyStart: start, encoding: "json" };
  }
  for (const [encoding, fields] of STRING_BODIES) {
    if (startsAt(bytes, fields, at)) {
      const bodyStart = at + fields.length - 1;
      return { fieldsEnd: bodyStart - BODY_KEY.length, bodyStart, encoding };
    }
  }
  return null;
}

const startsAt = (bytes: Buffer, part: Buffer, at: number): boolean =>
  at + part.length <= bytes.length &&
  bytes.compare(part, 0, part.length, at, at + part.length) === 0;

/** The fields before `,"body":`, parsed on their own. */
function headFields(bytes: Buffer, layout: Layout): Record<string, unknown> | null {
  const head = tryParseJson(`${bytes.toString("utf8", 0, layout.fieldsEnd)}}`);
  return head.ok && isPlainObject(head.value) ? head.value : null;
}

/** The body of a line in the listener's layout, or null when it is cut short. */
function bodyOf(bytes: Buffer, layout: Layout, fields: Record<string, unknown>): Buffer | null {
  const end = bytes.length - 1;
  if (layout.encoding === "json") {
    return isWholeEmbedded(fields, bytes, layout.bodyStart)
      ? bytes.subarray(layout.bodyStart, end)
      : null;
  }
  const token = tryParseJson(bytes.toString("utf8", layout.bodyStart, end));
  if (!token.ok || typeof token.value !== "string") return null;
  return Buffer.from(token.value, layout.encoding);
}

/** A line parsed whole: a JSON object with a `body`. */
function readWhole(bytes: Buffer): RecordedLine | "blank" | null {
  const line = bytes.toString("utf8");
  const parsed = tryParseJson(line);
  if (!parsed.ok || !isPlainObject(parsed.value) || !("body" in parsed.value)) return null;
  const body = wholeBody(parsed.value, bytes);
  return body === null ? null : { fields: parsed.value, body };
}

/** Whether an embedded body runs whole to the line's end. */
function isWholeEmbedded(fields: Record<string, unknown>, bytes: Buffer, start: number): boolean {
  // The length check and the native search are cheap; the bracket scan reads the body byte by
  // byte in JavaScript (a fifth of a line's cost).
  const lengthAgrees =
    declaredLength(fields) === bytes.length - 1 - start &&
    bytes.indexOf(ANOTHER_LINE, start) === -1;
  return lengthAgrees || balanced(bytes, start, bytes.length - 1);
}

/**
 * The body of a line parsed whole: bytes from `body_start` up to the line's closing `}` for an
 * embedded JSON body, else the `body` string decoded as its `body_encoding` says. Null when a
 * (hand-edited) `body_start` does not point just past `"body":` at JSON running to the line's end.
 */
function wholeBody(record: Record<string, unknown>, line: Buffer): Buffer | null {
  if (record.body_encoding === "json" && typeof record.body_start === "number") {
    const start = record.body_start;
    const end = line.length - 1;
    if (!Number.isInteger(start) || start < BODY_KEY.length || start >= end) return null;
    if (!startsAt(line, BODY_KEY, start - BODY_KEY.length)) return null;
    const body = line.subarray(start, end);
    return tryParseJson(body.toString("utf8")).ok ? body : null;
  }
  const body = typeof record.body === "string" ? record.body : "";
  return Buffer.from(body, record.body_encoding === "base64" ? "base64" : "utf8");
}

/** The request's Content-Length as recorded, when it is one decimal number; else -1. */
function declaredLength(record: Record<string, unknown>): number {
  const headers = record.headers;
  if (!isPlainObject(headers)) return -1;
  const value = headers["content-length"];
  return typeof value === "string" && /^\d{1,15}$/.test(value) ? Number(value) : -1;
}

/**
 * The byte offset where an embedded JSON body starts, read after the MARKER at `marker`, when the
 * line has the listener's shape around it; otherwise -1.
 */
function embeddedBodyStart(bytes: Buffer, marker: number): number {
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

/** The offset of the quote that ends the string whose opening quote is at `i` (or `to`). */
function stringEnd(bytes: Buffer, i: number, to: number): number {
  let at = i + 1;
  while (at < to && bytes[at] !== 0x22) at += bytes[at] === 0x5c ? 2 : 1;
  return at;
}

/** Whether `{`/`[` and `}`/`]` outside strings balance in bytes [from, to), never going below 0. */
function balanced(bytes: Buffer, from: number, to: number): boolean {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c === 0x22) {
      i = stringEnd(bytes, i, to);
      if (i >= to) return false;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth < 0) return false;
  }
  return depth === 0;
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

/** The ticket's title in a recorded body: every JSON body, a body recorded as text when small. */
function recordedTitle(read: RecordedLine): string | null {
  const encoding = read.fields.body_encoding;
  if (encoding !== "json" && !(encoding === "utf8" && read.body.length <= TITLE_PARSE_LIMIT)) {
    return null;
  }
  const body = tryParseJson(read.body.toString("utf8"));
  return body.ok ? titleOf(body.value) : null;
}

/**
 * The verdict as recorded, when the line holds it (`event_type` and `validation`, written by
 * every listen since they were added): nothing is validated again. Null for older lines.
 */
function recordedVerdict(
  read: RecordedLine,
  signature: SignatureVerdict,
  status: number | null,
): Verdict | null {
  const record = read.fields;
  if (!("event_type" in record) || !("validation" in record)) return null;
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
    title: recordedTitle(read),
    filtered: false,
  };
}

/**
 * Whether a recorded line shows under an event-type and verdict filter (no search text), from
 * its fields alone, without making an exchange: the quick way through millions of lines. Null
 * when the line does not have them as every listen writes them: make the exchange.
 */
export function headMatches(line: Buffer, filter: ExchangeFilter): boolean | null {
  const r = readRecordedFields(line);
  if (r === null || r === "blank") return null;
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

/**
 * A line shown without being read as a request (too long to read, or not a recorded request):
 * a row that says so, with no request in it.
 */
export function unreadLineExchange(seq: number, why: string): Exchange {
  const request: IncomingRequest = { method: "", url: "", headers: {}, body: Buffer.alloc(0) };
  return {
    seq,
    receivedAt: new Date(0),
    request,
    verdict: rejectedVerdict(0, why, {
      signature: { status: "skipped", header: null, reason: null },
      responseBody: "",
    }),
    status: null,
    forward: null,
    aborted: false,
  };
}

/** A recorded line back as an exchange: its request, and the verdict as recorded. */
export function exchangeFromLine(line: Buffer, seq: number): Exchange {
  const read = readRecordedLine(line);
  if (read === null || read === "blank") {
    return unreadLineExchange(seq, `not a recorded request: line ${seq} is cut or broken`);
  }
  const record = read.fields;
  const headers = isPlainObject(record.headers) ? (record.headers as Record<string, string>) : {};
  const request: IncomingRequest = {
    method: str(record.method) ?? "POST",
    url: str(record.path) ?? "/",
    headers,
    body: read.body,
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
  const recorded = recordedVerdict(read, signature, status);
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
