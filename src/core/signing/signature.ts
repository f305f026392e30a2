import { createHmac, type KeyObject, timingSafeEqual } from "node:crypto";

/** Default signature header. Not published by the platform: our decision (see README). */
export const DEFAULT_SIGNATURE_HEADER = "X-Signature";
/** The platform treats signatures older than 5 minutes as invalid. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type Body = string | Uint8Array;

/**
 * HMAC-SHA256 of the parts, one after the other: the one place an HMAC is computed. A signature
 * is the HMAC of `<t>.` and the raw body with the secret as UTF-8 key (our documented assumption:
 * computeSignature); the signature doctor also signs the way buggy receivers verify (body alone,
 * another separator, a decoded secret).
 */
export function hmacSha256(secret: string | KeyObject | Buffer, ...parts: Body[]): Buffer {
  const hmac = createHmac("sha256", secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** The lower-case hex digest of `<t>.<raw body>`: the `s=` of a signature header. */
export function computeSignature(
  secret: string | KeyObject,
  timestamp: number | string,
  body: Body,
): string {
  return hmacSha256(secret, `${timestamp}.`, body).toString("hex");
}

/** The header value `t=<unix seconds>,s=<hex digest>` for exactly these body bytes. */
export function sign(
  secret: string | KeyObject,
  body: Body,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},s=${computeSignature(secret, timestamp, body)}`;
}

export type VerifyFailure =
  | "malformed_header"
  | "missing_timestamp"
  | "missing_signature"
  | "timestamp_too_old"
  | "timestamp_in_future"
  | "no_matching_signature";

export type VerifyResult =
  | { ok: true; timestamp: number }
  | { ok: false; reason: VerifyFailure; message: string; timestamp?: number };

export interface VerifyOptions {
  /** Seconds a timestamp may differ from now; 0 disables the time check. Default 300. */
  tolerance?: number;
  /** Current Unix time in seconds. Default: the clock. */
  now?: number;
}

export interface ParsedSignatureHeader {
  timestamp: string | undefined;
  signatures: string[];
}

/** Splits `t=…,s=…[,s=…]`. Returns undefined when the value is not a list of key=value pairs. */
export function parseSignatureHeader(value: string): ParsedSignatureHeader | undefined {
  let timestamp: string | undefined;
  const signatures: string[] = [];
  // Comma by comma without split(): this runs for every request the listener receives.
  for (let from = 0; from <= value.length; ) {
    let end = value.indexOf(",", from);
    if (end === -1) end = value.length;
    const part = value.slice(from, end).trim();
    from = end + 1;
    const eq = part.indexOf("=");
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq);
    const val = part.slice(eq + 1);
    if (key === "t") timestamp = val;
    else if (key === "s") signatures.push(val);
  }
  return { timestamp, signatures };
}

/** True when a header value has the `t=…,s=…` shape (used to find the signature header). */
export function looksLikeSignature(value: string): boolean {
  return /(^|,)\s*t=\d+\s*,/.test(value) && /(^|,)\s*s=[0-9a-fA-F]+/.test(value);
}

const fail = (reason: VerifyFailure, message: string, timestamp?: number): VerifyResult =>
  timestamp === undefined
    ? { ok: false, reason, message }
    : { ok: false, reason, message, timestamp };

/** The header's own shape: a `t=` of Unix seconds and at least one 64-digit `s=`. */
function headerFailure(parsed: ParsedSignatureHeader | undefined): VerifyResult | null {
  if (!parsed) {
    return fail("malformed_header", 'malformed signature header: expected "t=<timestamp>,s=<hex>"');
  }
  if (parsed.timestamp === undefined)
    return fail("missing_timestamp", "signature header has no t=");
  if (!/^\d+$/.test(parsed.timestamp)) {
    return fail(
      "malformed_header",
      `malformed signature header: t="${parsed.timestamp.slice(0, 40)}" is not Unix seconds`,
    );
  }
  if (parsed.timestamp.length > MAX_TIMESTAMP_DIGITS) {
    return fail(
      "malformed_header",
      `malformed signature header: t= has ${parsed.timestamp.length} digits, Unix seconds have at most ${MAX_TIMESTAMP_DIGITS}`,
    );
  }
  if (parsed.signatures.length === 0)
    return fail("missing_signature", "signature header has no s=");
  if (!parsed.signatures.some((c) => HEX_DIGEST.test(c))) {
    const lengths = parsed.signatures.map((c) => c.length).join(", ");
    return fail(
      "malformed_header",
      `malformed signature header: s= must be exactly 64 hex digits (an HMAC-SHA256), got ${lengths} character(s)`,
    );
  }
  return null;
}

/** A timestamp further than `tolerance` seconds from now (0: no limit). */
function timeFailure(timestamp: number, options: VerifyOptions): VerifyResult | null {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE_SECONDS;
  if (tolerance <= 0) return null;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (timestamp < now - tolerance) {
    return fail(
      "timestamp_too_old",
      `timestamp too old: signed ${now - timestamp}s ago, tolerance is ${tolerance}s`,
      timestamp,
    );
  }
  if (timestamp > now + tolerance) {
    return fail(
      "timestamp_in_future",
      `timestamp too far in the future: ${timestamp - now}s ahead, tolerance is ${tolerance}s`,
      timestamp,
    );
  }
  return null;
}

/**
 * Verifies a signature header against the raw body bytes, with a precise reason on failure.
 * Several `s=` entries are accepted (key rotation); comparison is constant-time.
 */
export function verify(
  secret: string | KeyObject,
  body: Body,
  header: string,
  options: VerifyOptions = {},
): VerifyResult {
  const parsed = parseSignatureHeader(header);
  const malformed = headerFailure(parsed);
  if (malformed || !parsed?.timestamp) return malformed as VerifyResult;
  const timestamp = Number(parsed.timestamp);
  const late = timeFailure(timestamp, options);
  if (late) return late;
  // Over the header's own digits, as the sender signed them (leading zeros included).
  const expected = hmacSha256(secret, `${parsed.timestamp}.`, body);
  for (const candidate of parsed.signatures) {
    // Only exactly 64 hex digits are a candidate (trailing text or a 65th digit is not ignored):
    // 32 bytes, as long as the digest.
    if (HEX_DIGEST.test(candidate) && timingSafeEqual(Buffer.from(candidate, "hex"), expected)) {
      return { ok: true, timestamp };
    }
  }
  return fail(
    "no_matching_signature",
    "no matching signature: the body was changed or signed with another secret",
    timestamp,
  );
}

const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;
/** Unix seconds have 10 digits until the year 2286; 12 leave room and keep numbers exact. */
const MAX_TIMESTAMP_DIGITS = 12;

/** Secrets shorter than this show no character at all when masked. */
const MASK_MIN_LENGTH = 12;

/**
 * A secret as shown in output: two characters at each end (four at most, enough to tell two
 * secrets apart), and none of a secret shorter than 12 characters.
 */
export function maskSecret(secret: string): string {
  if (secret.length < MASK_MIN_LENGTH) return "****";
  return `${secret.slice(0, 2)}****${secret.slice(-2)}`;
}
