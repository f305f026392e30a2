import { isUtf8 } from "node:buffer";
import type { ValidationResult } from "../validation/types.js";
import type { IncomingRequest, SignatureVerdict, Verdict } from "./receive.js";

export interface ForwardResult {
  status: number | null;
  duration_ms: number;
  error: string | null;
}

/** One request the listener handled, from arrival to answer. */
export interface Exchange {
  /** Sequence number in this run, from 1. */
  seq: number;
  receivedAt: Date;
  request: IncomingRequest;
  verdict: Verdict;
  /** What the sender was answered (the app's status when forwarding); null if it went away. */
  status: number | null;
  forward: ForwardResult | null;
  /** The client disconnected before the body was complete. */
  aborted: boolean;
}

/*
 * The NDJSON line of an exchange: the recording format and the `listen --json` output alike.
 *
 * The body is kept byte for byte without re-serialising it. A body that parsed as JSON and holds
 * no line break is embedded as is, as the line's last field (`body_encoding: "json"`), and
 * `body_start` gives the offset in the line's text where its exact text begins. Any other UTF-8
 * body is a JSON string (`"utf8"`), anything else base64 (`"base64"`). The event is never parsed
 * and serialised again into the line.
 */

/** body_start has a fixed width (padded with spaces, which JSON allows), so it can be computed
 * before it is written. */
const BODY_START_WIDTH = 10;

/**
 * A line in two parts: `text`, and the raw body bytes that follow it when they are embedded as
 * JSON (then the line ends with `}` after them). Otherwise `body` is null and `text` is the line.
 */
export interface LineParts {
  text: string;
  body: Buffer | null;
}

let lastMs = Number.NaN;
let lastIso = "";
/** Many requests arrive within one millisecond under load: format each millisecond once. */
function isoTime(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = date.toISOString();
  }
  return lastIso;
}

function signatureJson(s: SignatureVerdict): string {
  if (s.status !== "valid" || s.header === null || s.reason !== null) return JSON.stringify(s);
  if (s.header !== lastValidHeader) {
    lastValidHeader = s.header;
    lastValidSignature = JSON.stringify(s);
  }
  return lastValidSignature;
}
let lastValidHeader: string | undefined;
let lastValidSignature = "";

function validationJson(v: ValidationResult | null): string {
  if (v === null) return "null";
  if (v.valid && v.errors.length === 0 && v.warnings.length === 0) return CLEAN;
  return `{"valid":${v.valid},"errors":${JSON.stringify(v.errors)},"warnings":${JSON.stringify(v.warnings)}}`;
}
const CLEAN = '{"valid":true,"errors":[],"warnings":[]}';

/** A JSON body with no CR or LF: it can be embedded as is. */
function embeddable(body: Buffer, verdict: Verdict): boolean {
  return (
    verdict.event !== undefined &&
    body.indexOf(10) === -1 &&
    body.indexOf(13) === -1 &&
    isUtf8(body)
  );
}

/** The fields after `validation`, up to `body_encoding`; the same for most requests of a run. */
function outcomeJson(ex: Exchange): string {
  const v = ex.verdict;
  if (v.rejected || v.error !== null || v.filtered || ex.aborted || ex.forward !== null) {
    return `,"status":${ex.status},"rejected":${v.rejected},"error":${JSON.stringify(v.error)},"filtered":${v.filtered},"aborted":${ex.aborted},"forward":${ex.forward ? JSON.stringify(ex.forward) : "null"},"body_encoding":`;
  }
  if (ex.status !== lastStatus) {
    lastStatus = ex.status;
    lastOutcome = `,"status":${ex.status},"rejected":false,"error":null,"filtered":false,"aborted":false,"forward":null,"body_encoding":`;
  }
  return lastOutcome;
}
let lastStatus: number | null | undefined;
let lastOutcome = "";

/** `"json","body_start":<start, padded>,"body":` for a head of this length. */
function jsonBodyField(headLength: number): string {
  if (headLength !== lastHeadLength) {
    lastHeadLength = headLength;
    const start = headLength + '"json","body_start":'.length + BODY_START_WIDTH + ',"body":'.length;
    lastBodyField = `"json","body_start":${String(start).padStart(BODY_START_WIDTH, " ")},"body":`;
  }
  return lastBodyField;
}
let lastHeadLength = -1;
let lastBodyField = "";

/** `"method":…,"path":…,"headers":` — one request target for most requests of a run. */
function targetFields(method: string, url: string): string {
  if (method !== lastMethod || url !== lastUrl) {
    lastMethod = method;
    lastUrl = url;
    lastTarget = `"method":${JSON.stringify(method)},"path":${JSON.stringify(url)},"headers":`;
  }
  return lastTarget;
}
let lastMethod = "";
let lastUrl = "";
let lastTarget = "";

/** `,"event_type":…,"event_id":` */
function eventTypeField(type: string | null): string {
  if (type !== lastType) {
    lastType = type;
    lastTypeField = `,"event_type":${JSON.stringify(type)},"event_id":`;
  }
  return lastTypeField;
}
let lastType: string | null | undefined;
let lastTypeField = "";

/** `,"signature":…,"validation":…` and the outcome, up to `"body_encoding":`. */
function verdictFields(ex: Exchange): string {
  const signature = signatureJson(ex.verdict.signature);
  const validation = validationJson(ex.verdict.validation);
  const outcome = outcomeJson(ex);
  if (signature !== lastSignature || validation !== lastValidation || outcome !== lastOutcomeUsed) {
    lastSignature = signature;
    lastValidation = validation;
    lastOutcomeUsed = outcome;
    lastVerdict = `,"signature":${signature},"validation":${validation}${outcome}`;
  }
  return lastVerdict;
}
let lastSignature = "";
let lastValidation = "";
let lastOutcomeUsed = "";
let lastVerdict = "";

/**
 * The line's text up to its body. Under load most of it is the same from one request to the next:
 * those fields are formatted once and reused, so each line is a few concatenations.
 */
export function lineParts(ex: Exchange): LineParts {
  const { request: req, verdict: v } = ex;
  const head = `{"type":"request","seq":${ex.seq},"received_at":"${isoTime(ex.receivedAt)}",${targetFields(req.method, req.url)}${JSON.stringify(req.headers)}${eventTypeField(v.eventType)}${JSON.stringify(v.eventId)}${verdictFields(ex)}`;
  if (embeddable(req.body, v)) return { text: head + jsonBodyField(head.length), body: req.body };
  const utf8 = isUtf8(req.body);
  const text = utf8 ? req.body.toString("utf8") : req.body.toString("base64");
  return {
    text: `${head}"${utf8 ? "utf8" : "base64"}","body":${JSON.stringify(text)}}`,
    body: null,
  };
}

/** The NDJSON line of an exchange, without its newline. */
export function exchangeLine(ex: Exchange): string {
  const { text, body } = lineParts(ex);
  return body ? `${text}${body.toString("utf8")}}` : text;
}

/** The exact body bytes of a recorded line (`line` is the line's text, for `json` bodies). */
export function recordedBody(
  record: { body?: unknown; body_encoding?: unknown; body_start?: unknown },
  line = "",
): Buffer {
  if (record.body_encoding === "json" && typeof record.body_start === "number") {
    return Buffer.from(line.slice(record.body_start, line.length - 1), "utf8");
  }
  const body = typeof record.body === "string" ? record.body : "";
  return Buffer.from(body, record.body_encoding === "base64" ? "base64" : "utf8");
}
