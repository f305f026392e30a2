import { isUtf8 } from "node:buffer";
import type { KeyObject } from "node:crypto";
import { createSecretKey } from "node:crypto";
import { isEventType } from "../events/catalogue.js";
import { matchesWhere, type WhereClause } from "../events/where.js";
import { isPlainObject, tryParseJson } from "../json.js";
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

/** What receive() derives from a config once, not per request (the HMAC key, lower-cased names). */
interface Prepared {
  key: KeyObject | undefined;
  header: string;
  headerLower: string;
}

const prepared = new WeakMap<ReceiveConfig, Prepared>();

function prepare(config: ReceiveConfig): Prepared {
  let p = prepared.get(config);
  if (!p) {
    const header = config.signatureHeader ?? DEFAULT_SIGNATURE_HEADER;
    p = {
      key: config.secret ? createSecretKey(Buffer.from(config.secret, "utf8")) : undefined,
      header,
      headerLower: header.toLowerCase(),
    };
    prepared.set(config, p);
  }
  return p;
}

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

const reject = (
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

/**
 * The receive pipeline: (method, path, headers, raw bytes) → verdict. Pure: no I/O, the clock is
 * a parameter. Every failure maps to one status with a JSON `{"error": …}` that says what is wrong.
 */
export function receive(
  req: IncomingRequest,
  config: ReceiveConfig = {},
  nowSeconds = Math.floor(Date.now() / 1000),
): Verdict {
  const path = config.path ?? "/";
  const { key, header: configuredHeader, headerLower } = prepare(config);
  const found = findSignature(req.headers, configuredHeader, headerLower);
  let signature: SignatureVerdict = {
    status: config.secret ? "missing" : "skipped",
    header: found?.name ?? null,
    reason: config.secret ? null : "no --secret given, signature not checked",
  };
  const query = req.url.indexOf("?");
  const reqPath = query === -1 ? req.url : req.url.slice(0, query);
  if (reqPath !== path) {
    return reject(404, `not found: events are received at ${path}, not ${reqPath}`, { signature });
  }
  if (req.method !== "POST") {
    return reject(405, `method ${req.method} not allowed: the platform sends POST`, { signature });
  }
  const type = first(req.headers["content-type"]) ?? "";
  if (type !== "application/json" && !JSON_TYPE.test(type.trim())) {
    return reject(
      415,
      `unsupported content type ${type ? `"${type}"` : "(none)"}: expected application/json`,
      { signature },
    );
  }
  const maxBody = config.maxBody ?? DEFAULT_MAX_BODY;
  if (req.tooLarge || req.body.length > maxBody) {
    return reject(413, `body too large: more than ${maxBody} bytes`, { signature });
  }
  if (key) {
    if (!found) {
      signature = {
        status: "missing",
        header: null,
        reason: `no signature header (${configuredHeader})`,
      };
      return reject(401, `missing signature: no ${configuredHeader} header`, { signature });
    }
    const result = verify(key, req.body, found.value, {
      tolerance: config.tolerance ?? DEFAULT_TOLERANCE_SECONDS,
      now: nowSeconds,
    });
    if (!result.ok) {
      signature = { status: "invalid", header: found.name, reason: result.message };
      return reject(401, `invalid signature: ${result.message}`, { signature });
    }
    signature = { status: "valid", header: found.name, reason: null };
  }
  const body = req.body;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return reject(
      400,
      "the body starts with a byte order mark (U+FEFF, bytes EF BB BF): JSON must be UTF-8 without one (RFC 8259 §8.1)",
      { signature },
    );
  }
  if (!isUtf8(body)) {
    return reject(400, "the body is not valid UTF-8: JSON must be UTF-8 (RFC 8259 §8.1)", {
      signature,
    });
  }
  const text = body.toString("utf8");
  const parsed = tryParseJson(text);
  if (!parsed.ok) {
    const { line, column, message } = parsed.error;
    return reject(400, `invalid JSON at line ${line}, column ${column}: ${message}`, { signature });
  }
  const event = parsed.value;
  let validation: ValidationResult;
  try {
    validation = validateEvent(event);
  } catch (error) {
    // Only a value nested past the stack's depth gets here (thousands of levels): not an event.
    if (!(error instanceof RangeError)) throw error;
    return reject(400, "JSON nested too deeply to be checked: not an event", { signature });
  }
  const obj = isPlainObject(event) ? event : {};
  const eventType = typeof obj.event_type === "string" ? obj.event_type : null;
  const eventId = typeof obj.event_id === "string" ? obj.event_id : null;
  const data = isPlainObject(obj.data) ? obj.data : {};
  const ticket = isPlainObject(data.ticket) ? data.ticket : {};
  const title = typeof ticket.title === "string" ? ticket.title : null;
  const filtered =
    (config.events !== undefined && !(eventType !== null && config.events.has(eventType))) ||
    (config.where !== undefined && !matchesWhere(event, config.where));
  if (!validation.valid && config.rejectInvalid) {
    const base = { signature, validation, event, eventType, eventId, title, filtered };
    const first = validation.errors[0];
    const error = `invalid event: ${first ? `${first.path}: ${first.message}` : "schema validation failed"}${validation.errors.length > 1 ? ` (and ${validation.errors.length - 1} more)` : ""}`;
    return { ...reject(422, error, base), rejected: true };
  }
  const status = config.status ?? 200;
  let responseBody = ACCEPTED;
  if (status >= 400)
    responseBody = JSON.stringify({ error: `simulated failure: answering ${status} (--status)` });
  else if (!validation.valid) {
    responseBody = JSON.stringify({
      received: true,
      valid: false,
      errors: validation.errors.length,
      note: isEventType(eventType) ? "the event does not match its schema" : "unknown event type",
    });
  }
  return {
    status,
    responseBody,
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

const ACCEPTED = JSON.stringify({ received: true });
const JSON_TYPE = /^application\/([\w.+-]*\+)?json\s*(;|$)/i;
