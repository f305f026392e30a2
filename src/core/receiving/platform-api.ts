import { DEFAULT_SIGNATURE_HEADER, verify } from "../signing/signature.js";
import type { HttpReply } from "./ports.js";
import { findSignature, type IncomingRequest } from "./receive.js";

// The platform's signature-verification API, offline: `listen --platform-api` answers
// POST /v2/webhook-endpoints/verify-signature as the platform documents it, with the listener's
// secret, so receivers that verify through the API can be tested without the platform.
//
// Documented: the path; called with an API key, the signature as a header and the raw body; 200
// when valid; otherwise 400 {"status":400,"valid":false,"errors":["invalid payload"]}; signatures
// older than 5 minutes are refused. NOT documented, our assumptions (configurable): the API key
// comes as `Authorization: Bearer <key>` (any key unless one is configured); the signature comes
// in the listener's signature header (X-Signature by default), or any header shaped t=…,s=…; the
// 200 body is {"status":200,"valid":true}.

export const VERIFY_SIGNATURE_PATH = "/v2/webhook-endpoints/verify-signature";
/** The platform refuses signatures older than this (seconds). */
const MAX_AGE_SECONDS = 300;

export interface PlatformApiOptions {
  /** Header holding the API key. Default `authorization` (`Bearer <key>`, or the key alone). */
  apiKeyHeader?: string;
  /** Only this key is accepted; any non-empty key when unset. */
  apiKey?: string | undefined;
  /** Header holding the signature in the call. Default: the listener's signature header. */
  signatureHeader?: string;
}

const json = (status: number, body: unknown): HttpReply => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});

export const INVALID_PAYLOAD = { status: 400, valid: false, errors: ["invalid payload"] } as const;

/**
 * The API's answer to a request for its path, or undefined when the request is for another path
 * (the webhook pipeline handles it).
 */
export function platformApiReply(
  request: IncomingRequest,
  secret: string | undefined,
  options: PlatformApiOptions & { listenerSignatureHeader?: string | undefined },
  nowSeconds: number,
): HttpReply | undefined {
  const path = request.url.split("?")[0];
  if (path !== VERIFY_SIGNATURE_PATH) return undefined;
  if (request.method !== "POST")
    return json(405, { status: 405, errors: [`use POST for ${VERIFY_SIGNATURE_PATH}`] });
  const keyHeader = (options.apiKeyHeader ?? "authorization").toLowerCase();
  const raw = request.headers[keyHeader];
  const given = (Array.isArray(raw) ? raw[0] : raw)?.replace(/^Bearer\s+/i, "").trim() ?? "";
  if (given === "" || (options.apiKey !== undefined && given !== options.apiKey))
    return json(401, { status: 401, errors: ["invalid API key"] });
  if (!secret)
    return json(500, { status: 500, errors: ["the listener has no secret (pass --secret)"] });
  const header =
    options.signatureHeader ?? options.listenerSignatureHeader ?? DEFAULT_SIGNATURE_HEADER;
  const found = findSignature(request.headers, header);
  if (!found) return json(400, INVALID_PAYLOAD);
  const result = verify(secret, request.body, found.value, {
    tolerance: MAX_AGE_SECONDS,
    now: nowSeconds,
  });
  return result.ok ? json(200, { status: 200, valid: true }) : json(400, INVALID_PAYLOAD);
}
