import { isUtf8 } from "node:buffer";
import type { KeyObject } from "node:crypto";
import { createSecretKey } from "node:crypto";
import { isEventType } from "../events/catalogue.js";
import { matchesWhere, type WhereClause } from "../events/where.js";
import { isPlainObject, nestedDeeperThan, tryParseJson } from "../json.js";
import {
  DEFAULT_SIGNATURE_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  looksLikeSignature,
  verify,
} from "../signing/signature.js";
import type { ValidationResult } from "../validation/types.js";
import { validateEvent } from "../validation/validate.js";

export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/** A request as the HTTP adapter saw it: raw bytes, never re-serialised. */
export interface IncomingRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  /** Lower-case names, as node:http gives them. */
  headers: HeaderMap;
  body: Buffer;
  /** The body went past maxBody; `body` holds only its start. */
  tooLarge?: boolean;
  /** Turned away: the bodies of requests in progress hold all the memory allowed (503). */
  busy?: boolean;
  /** Bytes of the body that arrived, when `body` holds only their start (an aborted request). */
  receivedBytes?: number;
}

export interface ReceiveConfig {
  /** The path events are posted to. Default `/`. */
  path?: string;
  secret?: string | undefined;
  signatureHeader?: string;
  /** Seconds; 0 disables the time check. Default 300. */
  tolerance?: number;
  /** Bytes. Default 1 MiB. */
  maxBody?: number;
  /** Status for accepted events. Default 200. */
  status?: number;
  /** Answer schema-invalid events 422 instead of `status`. */
  rejectInvalid?: boolean;
  /** Only these event types are shown and forwarded (others are answered and recorded). */
  events?: ReadonlySet<string> | undefined;
  /** Only events matching every clause are shown and forwarded (`--where`). */
  where?: readonly WhereClause[] | undefined;
}

export interface SignatureVerdict {
  /** `skipped` when no secret is configured. */
  status: "valid" | "invalid" | "missing" | "skipped";
  /** The header the signature was read from (as configured, or found by its t=…,s=… shape). */
  header: string | null;
  reason: string | null;
}

export interface Verdict {
  status: number;
  /** The JSON body of the answer. */
  responseBody: string;
  /** The request was turned away before it reached the app (404/405/415/413/401/400/422). */
  rejected: boolean;
  /** What went wrong, in one line (also the `error` of the answer); null when accepted. */
  error: string | null;
  signature: SignatureVerdict;
  validation: ValidationResult | null;
  event: unknown;
  eventType: string | null;
  eventId: string | null;
  title: string | null;
  /** Not in --events: answered and recorded, not shown or forwarded. */
  filtered: boolean;
}

export const DEFAULT_MAX_BODY = 1024 * 1024;

/** Seconds a sender turned away as busy is asked to wait (`Retry-After` of the 503). */
export const BUSY_RETRY_AFTER_SECONDS = 5;

/** A header's value as node:http gives it: the first, when it came more than once. */
function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The signature header: the configured one, else any header whose value looks like t=…,s=…. */
export function findSignature(
  headers: HeaderMap,
  configured: string,
  lower = configured.toLowerCase(),
): { name: string; value: string } | undefined {
  const direct = first(headers[lower]);
  if (direct !== undefined) return { name: configured, value: direct };
  for (const [name, raw] of Object.entries(headers)) {
    const value = first(raw);
    if (value !== undefined && looksLikeSignature(value)) return { name, value };
  }
  return undefined;
}

/** A verdict that turns the request away, with `error` as its answer. */
export const rejectedVerdict = (
  status: number,
  error: string,
  rest: Partial<Verdict> & Pick<Verdict, "signature">,
): Verdict => ({
  status,
  error,
  responseBody: JSON.stringify({ error }),
  rejected: true,
  validation: null,
  event: undefined,
  eventType: null,
  eventId: null,
  title: null,
  filtered: false,
  ...rest,
});

/** What an event says of itself, for the list and the filters. */
function eventFields(event: unknown) {
  const obj = isPlainObject(event) ? event : {};
  const data = isPlainObject(obj.data) ? obj.data : {};
  const ticket = isPlainObject(data.ticket) ? data.ticket : {};
  return {
    eventType: typeof obj.event_type === "string" ? obj.event_type : null,
    eventId: typeof obj.event_id === "string" ? obj.event_id : null,
    title: typeof ticket.title === "string" ? ticket.title : null,
  };
}

/**
 * The receive pipeline for one configuration: (method, path, headers, raw bytes) → verdict. Pure:
 * no I/O, the clock is a parameter. Every failure maps to one status with a JSON `{"error": …}`
 * that says what is wrong. What the configuration alone decides (the HMAC key, the header's
 * lower-case name) is worked out once, here, not for each request.
 */
export class Receiver {
  private readonly key: KeyObject | undefined;
  private readonly header: string;
  private readonly headerLower: string;

  constructor(private readonly config: ReceiveConfig = {}) {
    this.header = config.signatureHeader ?? DEFAULT_SIGNATURE_HEADER;
    this.headerLower = this.header.toLowerCase();
    this.key = config.secret ? createSecretKey(Buffer.from(config.secret, "utf8")) : undefined;
  }

  receive(req: IncomingRequest, nowSeconds = Math.floor(Date.now() / 1000)): Verdict {
    const found = findSignature(req.headers, this.header, this.headerLower);
    let signature: SignatureVerdict = {
      status: this.key ? "missing" : "skipped",
      header: found?.name ?? null,
      reason: this.key ? null : "no --secret given, signature not checked",
    };
    const refused = this.refusedRequest(req);
    if (refused) return rejectedVerdict(refused.status, refused.error, { signature });
    if (this.key) {
      const checked = this.checkSignature(this.key, req.body, found, nowSeconds);
      if ("refused" in checked) return checked.refused;
      signature = checked.signature;
    }
    const read = readEvent(req.body);
    if ("error" in read) return rejectedVerdict(400, read.error, { signature });
    return this.verdictOf(read.event, read.validation, signature);
  }

  /** 404, 405, 415, 413: a request that is no delivery at all. */
  private refusedRequest(req: IncomingRequest): { status: number; error: string } | null {
    const path = this.config.path ?? "/";
    const query = req.url.indexOf("?");
    const reqPath = query === -1 ? req.url : req.url.slice(0, query);
    if (reqPath !== path) {
      return { status: 404, error: `not found: events are received at ${path}, not ${reqPath}` };
    }
    if (req.method !== "POST") {
      return { status: 405, error: `method ${req.method} not allowed: the platform sends POST` };
    }
    const type = first(req.headers["content-type"]) ?? "";
    if (type !== "application/json" && !JSON_TYPE.test(type.trim())) {
      const given = type ? `"${type}"` : "(none)";
      return { status: 415, error: `unsupported content type ${given}: expected application/json` };
    }
    if (req.busy) {
      return {
        status: 503,
        error: `busy: request bodies in progress hold all the memory allowed; retry after ${BUSY_RETRY_AFTER_SECONDS} s`,
      };
    }
    const maxBody = this.config.maxBody ?? DEFAULT_MAX_BODY;
    if (req.tooLarge || req.body.length > maxBody) {
      return { status: 413, error: `body too large: more than ${maxBody} bytes` };
    }
    return null;
  }

  /** The signature's verdict, or the 401 that turns the request away. */
  private checkSignature(
    key: KeyObject,
    body: Buffer,
    found: { name: string; value: string } | undefined,
    nowSeconds: number,
  ): { signature: SignatureVerdict } | { refused: Verdict } {
    if (!found) {
      const reason = `no signature header (${this.header})`;
      const signature: SignatureVerdict = { status: "missing", header: null, reason };
      return {
        refused: rejectedVerdict(401, `missing signature: no ${this.header} header`, { signature }),
      };
    }
    const result = verify(key, body, found.value, {
      tolerance: this.config.tolerance ?? DEFAULT_TOLERANCE_SECONDS,
      now: nowSeconds,
    });
    if (!result.ok) {
      const signature: SignatureVerdict = {
        status: "invalid",
        header: found.name,
        reason: result.message,
      };
      return {
        refused: rejectedVerdict(401, `invalid signature: ${result.message}`, { signature }),
      };
    }
    return { signature: { status: "valid", header: found.name, reason: null } };
  }

  /** A readable event's verdict: accepted (flagged when invalid), 422 with --reject-invalid. */
  private verdictOf(
    event: unknown,
    validation: ValidationResult,
    signature: SignatureVerdict,
  ): Verdict {
    const { config } = this;
    const { eventType, eventId, title } = eventFields(event);
    const filtered =
      (config.events !== undefined && !(eventType !== null && config.events.has(eventType))) ||
      (config.where !== undefined && !matchesWhere(event, config.where));
    if (!validation.valid && config.rejectInvalid) {
      const base = { signature, validation, event, eventType, eventId, title, filtered };
      return rejectedVerdict(422, invalidEventError(validation), base);
    }
    const status = config.status ?? 200;
    // One object literal of one shape for every accepted request (the listener's hot path).
    return {
      status,
      responseBody: acceptedBody(status, validation, eventType),
      rejected: false,
      error: null,
      signature,
      validation,
      event,
      eventType,
      eventId,
      title,
      filtered,
    };
  }
}

/** `invalid event: PATH: MESSAGE (and N more)`. */
function invalidEventError(validation: ValidationResult): string {
  const first = validation.errors[0];
  const what = first ? `${first.path}: ${first.message}` : "schema validation failed";
  const more = validation.errors.length > 1 ? ` (and ${validation.errors.length - 1} more)` : "";
  return `invalid event: ${what}${more}`;
}

/** The answer's body: received, an invalid event flagged, or the simulated failure of --status. */
function acceptedBody(status: number, validation: ValidationResult, type: string | null): string {
  if (status >= 400) {
    return JSON.stringify({ error: `simulated failure: answering ${status} (--status)` });
  }
  if (validation.valid) return ACCEPTED;
  return JSON.stringify({
    received: true,
    valid: false,
    errors: validation.errors.length,
    note: isEventType(type) ? "the event does not match its schema" : "unknown event type",
  });
}

/**
 * The deepest JSON taken as an event (an event nests 5 levels). An accepted body is recorded as
 * JSON one level down in its line, which jq and Python's json must read: jq 1.6 stops at 256
 * levels and counts an object as two (so 127 objects deep); Python's json near 1000.
 */
export const MAX_NESTING = 100;

/** The body as an event: UTF-8 JSON without a byte order mark, validated; else why not (400). */
function readEvent(
  body: Buffer,
): { event: unknown; validation: ValidationResult } | { error: string } {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return {
      error:
        "the body starts with a byte order mark (U+FEFF, bytes EF BB BF): JSON must be UTF-8 without one (RFC 8259 §8.1)",
    };
  }
  if (!isUtf8(body)) {
    return { error: "the body is not valid UTF-8: JSON must be UTF-8 (RFC 8259 §8.1)" };
  }
  const parsed = tryParseJson(body.toString("utf8"));
  if (!parsed.ok) {
    const { line, column, message } = parsed.error;
    return { error: `invalid JSON at line ${line}, column ${column}: ${message}` };
  }
  if (nestedDeeperThan(parsed.value, MAX_NESTING)) {
    return {
      error: `JSON nested deeper than ${MAX_NESTING} levels: not an event`,
    };
  }
  return { event: parsed.value, validation: validateEvent(parsed.value) };
}

/**
 * One request through the receive pipeline (see Receiver; for many requests under one
 * configuration, make a Receiver once).
 */
export function receive(
  req: IncomingRequest,
  config: ReceiveConfig = {},
  nowSeconds = Math.floor(Date.now() / 1000),
): Verdict {
  return new Receiver(config).receive(req, nowSeconds);
}

const ACCEPTED = JSON.stringify({ received: true });
const JSON_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i;
