import { isUtf8 } from "node:buffer";
import type { Exchange } from "../exchanges/exchange.js";
import { forwardJson } from "../exchanges/forward-result.js";
import { hasJsonUnsafeBytes, jsonSafe } from "../json.js";
import type { SignatureVerdict, Verdict } from "../receiving/receive.js";
import type { ValidationResult } from "../validation/types.js";

/*
 * The NDJSON line of an exchange: the recording format and the `listen --json` output alike.
 *
 * The body is kept byte for byte without re-serialising it. A body that parsed as JSON and holds
 * no line break is embedded as is, as the line's last field (`body_encoding: "json"`), and
 * `body_start` gives the BYTE offset in the line's UTF-8 bytes where its exact bytes begin (the
 * body runs from there to the byte before the line's final `}`), so a reader in any language
 * slices bytes, never characters. Any other UTF-8 body is
 * a JSON string (`"utf8"`), anything else base64 (`"base64"`). The event is never parsed and
 * serialised again into the line.
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

const CLEAN_VALIDATION = '{"valid":true,"errors":[],"warnings":[]}';

function validationJson(v: ValidationResult | null): string {
  if (v === null) return "null";
  if (v.valid && v.errors.length === 0 && v.warnings.length === 0) return CLEAN_VALIDATION;
  return `{"valid":${v.valid},"errors":${JSON.stringify(v.errors)},"warnings":${JSON.stringify(v.warnings)}}`;
}

/**
 * A JSON body with no CR or LF, and no raw C1 or bidi control a terminal showing the line would
 * act on: it can be embedded as is.
 */
function embeddable(body: Buffer, verdict: Verdict): boolean {
  return (
    verdict.event !== undefined &&
    body.indexOf(10) === -1 &&
    body.indexOf(13) === -1 &&
    isUtf8(body) &&
    !hasJsonUnsafeBytes(body)
  );
}

/**
 * Encodes exchanges into their lines, one encoder per listener. Under load most of a line is the
 * same from one request to the next (the request target, the event type, the verdict): those
 * fields are formatted once per change and reused, so each line is a few concatenations. The
 * remembered fields belong to this object alone; a property test pins every line to the fields.
 */
export class LineEncoder {
  private lastMs = Number.NaN;
  private lastIso = "";
  private lastValidHeader: string | undefined;
  private lastValidSignature = "";
  private lastStatus: number | null | undefined;
  private lastOutcome = "";
  private lastHeadLength = -1;
  private lastBodyField = "";
  private lastMethod: string | undefined;
  private lastUrl: string | undefined;
  private lastTarget = "";
  private lastType: string | null | undefined;
  private lastTypeField = "";
  private lastSignature = "";
  private lastValidation = "";
  private lastOutcomeUsed = "";
  private lastVerdict = "";

  /** The line's text up to its body, and the body's bytes when they are embedded as they are. */
  parts(ex: Exchange): LineParts {
    const { request: req, verdict: v } = ex;
    // Headers, the path, the event type or id and the error text may hold C1 or bidi controls:
    // escaped (jsonSafe only copies when there is one), so no line drives a terminal.
    const head = jsonSafe(
      `{"type":"request","seq":${ex.seq},"received_at":"${this.isoTime(ex.receivedAt)}",${this.targetFields(req.method, req.url)}${JSON.stringify(req.headers)}${this.eventTypeField(v.eventType)}${JSON.stringify(v.eventId)}${this.verdictFields(ex)}`,
    );
    if (embeddable(req.body, v)) {
      return { text: head + this.jsonBodyField(Buffer.byteLength(head)), body: req.body };
    }
    const utf8 = isUtf8(req.body);
    const text = utf8 ? req.body.toString("utf8") : req.body.toString("base64");
    return {
      text: `${head}"${utf8 ? "utf8" : "base64"}","body":${jsonSafe(JSON.stringify(text))}}`,
      body: null,
    };
  }

  /** The NDJSON line of an exchange, without its newline. */
  line(ex: Exchange): string {
    const { text, body } = this.parts(ex);
    return body ? `${text}${body.toString("utf8")}}` : text;
  }

  /** Many requests arrive within one millisecond under load: each millisecond is formatted once. */
  private isoTime(date: Date): string {
    const ms = date.getTime();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = date.toISOString();
    }
    return this.lastIso;
  }

  private signatureJson(s: SignatureVerdict): string {
    if (s.status !== "valid" || s.header === null || s.reason !== null) return JSON.stringify(s);
    if (s.header !== this.lastValidHeader) {
      this.lastValidHeader = s.header;
      this.lastValidSignature = JSON.stringify(s);
    }
    return this.lastValidSignature;
  }

  /** The fields after `validation`, up to `body_encoding`; the same for most requests of a run. */
  private outcomeJson(ex: Exchange): string {
    const v = ex.verdict;
    if (v.rejected || v.error !== null || v.filtered || ex.aborted || ex.forward !== null) {
      return `,"status":${ex.status},"rejected":${v.rejected},"error":${JSON.stringify(v.error)},"filtered":${v.filtered},"aborted":${ex.aborted},"forward":${ex.forward ? forwardJson(ex.forward) : "null"},"body_encoding":`;
    }
    if (ex.status !== this.lastStatus) {
      this.lastStatus = ex.status;
      this.lastOutcome = `,"status":${ex.status},"rejected":false,"error":null,"filtered":false,"aborted":false,"forward":null,"body_encoding":`;
    }
    return this.lastOutcome;
  }

  /** `"json","body_start":<start, padded>,"body":` for a head of this many bytes. */
  private jsonBodyField(headLength: number): string {
    if (headLength !== this.lastHeadLength) {
      this.lastHeadLength = headLength;
      const start =
        headLength + '"json","body_start":'.length + BODY_START_WIDTH + ',"body":'.length;
      this.lastBodyField = `"json","body_start":${String(start).padStart(BODY_START_WIDTH, " ")},"body":`;
    }
    return this.lastBodyField;
  }

  /** `"method":…,"path":…,"headers":` — one request target for most requests of a run. */
  private targetFields(method: string, url: string): string {
    if (method !== this.lastMethod || url !== this.lastUrl) {
      this.lastMethod = method;
      this.lastUrl = url;
      this.lastTarget = `"method":${JSON.stringify(method)},"path":${JSON.stringify(url)},"headers":`;
    }
    return this.lastTarget;
  }

  /** `,"event_type":…,"event_id":` */
  private eventTypeField(type: string | null): string {
    if (type !== this.lastType) {
      this.lastType = type;
      this.lastTypeField = `,"event_type":${JSON.stringify(type)},"event_id":`;
    }
    return this.lastTypeField;
  }

  /** `,"signature":…,"validation":…` and the outcome, up to `"body_encoding":`. */
  private verdictFields(ex: Exchange): string {
    const signature = this.signatureJson(ex.verdict.signature);
    const validation = validationJson(ex.verdict.validation);
    const outcome = this.outcomeJson(ex);
    if (
      signature !== this.lastSignature ||
      validation !== this.lastValidation ||
      outcome !== this.lastOutcomeUsed
    ) {
      this.lastSignature = signature;
      this.lastValidation = validation;
      this.lastOutcomeUsed = outcome;
      this.lastVerdict = `,"signature":${signature},"validation":${validation}${outcome}`;
    }
    return this.lastVerdict;
  }
}

/** The NDJSON line of one exchange, without its newline (a fresh encoder: nothing remembered). */
export function exchangeLine(ex: Exchange): string {
  return new LineEncoder().line(ex);
}
