import { StringDecoder } from "node:string_decoder";
import { type Exchange, editedRequest, type ForwardResult } from "./exchange.js";
import type { ForwardReply } from "./ports.js";
import {
  type HeaderMap,
  type IncomingRequest,
  type ReceiveConfig,
  receive,
  type Verdict,
} from "./receive.js";

/*
 * What forwarding to the user's app adds around the receive pipeline: the app's answer kept
 * within bounds, and the loop guard (a listener forwarding to itself, directly or through others).
 */

/** Bytes of the app's answer body kept (the rest is read and discarded as it arrives). */
export const ANSWER_KEEP_BYTES = 64 * 1024;
/** Bytes of the app's answer body written into a recorded or `--json` line. */
export const ANSWER_LINE_BYTES = 2 * 1024;

/**
 * Forwarded requests carry the ids of the listeners they went through; a listener that sees its
 * own id answers 508 instead of forwarding again.
 */
export const LOOP_HEADER = "x-ticket-hooks-forwarded-by";

/** The longest prefix of `bytes` that is whole UTF-8 characters, at most `max` bytes, as text. */
export function utf8Prefix(bytes: Buffer, max: number): string {
  const decoder = new StringDecoder("utf8");
  return decoder.write(bytes.length > max ? bytes.subarray(0, max) : bytes);
}

/** The ForwardResult of an exchange from the forwarder's reply. */
export function forwardResult(reply: ForwardReply): ForwardResult {
  return {
    status: reply.status,
    duration_ms: reply.durationMs,
    error: reply.error,
    headers: reply.headers,
    body: reply.body,
    body_bytes: reply.bodyBytes,
    body_truncated: reply.bodyBytes > Buffer.byteLength(reply.body),
  };
}

/** The `forward` field of a line: the app's body cut to ANSWER_LINE_BYTES. */
export function forwardJson(forward: ForwardResult): string {
  const kept = Buffer.from(forward.body, "utf8");
  if (kept.length <= ANSWER_LINE_BYTES) return JSON.stringify(forward);
  return JSON.stringify({
    ...forward,
    body: utf8Prefix(kept, ANSWER_LINE_BYTES),
    body_truncated: true,
  });
}

/** The value of LOOP_HEADER on a request forwarded by `id` (appended to what it carried). */
export function loopMark(headers: HeaderMap, id: string): string {
  const seen = headers[LOOP_HEADER];
  const before = Array.isArray(seen) ? seen.join(", ") : seen;
  return before ? `${before}, ${id}` : id;
}

/** True when the request was already forwarded by the listener with this id. */
export function isOwnLoop(headers: HeaderMap, id: string): boolean {
  const seen = headers[LOOP_HEADER];
  const all = Array.isArray(seen) ? seen.join(",") : (seen ?? "");
  return all.split(",").some((part) => part.trim() === id);
}

/** The verdict for a request that came back to the listener that forwarded it. */
export function loopVerdict(verdict: Verdict, route: string): Verdict {
  const error = `forwarding loop: this request was already forwarded by this listener (${route} leads back to it)`;
  return {
    ...verdict,
    status: 508,
    rejected: true,
    error,
    responseBody: JSON.stringify({ error }),
  };
}

const LOCAL = /^(localhost|127(\.\d{1,3}){3}|::1|0\.0\.0\.0|::|\[::1\]|\[::\])$/i;

/** True when `target` (a URL) is the listener's own host and port. */
export function pointsAtItself(target: string, host: string, port: number): boolean {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  const targetPort = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  if (targetPort !== port) return false;
  const targetHost = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const ownHost = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (targetHost === ownHost) return true;
  return LOCAL.test(targetHost) && LOCAL.test(ownHost);
}

/**
 * An edited event sent to an app (`e` in the live UI), as an exchange without its number: the
 * request with the new body, its verdict (the event's validation: signed by us just now, its
 * signature is not checked) and the app's answer (`send`; null when there is no app to send to).
 */
export async function sendEdited(
  original: Exchange,
  body: Buffer,
  options: {
    config: ReceiveConfig;
    nowMs: number;
    send: ((request: IncomingRequest, verdict: Verdict) => Promise<ForwardReply> | null) | null;
  },
): Promise<Omit<Exchange, "seq">> {
  const request = editedRequest(original, body);
  const verdict = receive(
    request,
    { ...options.config, secret: undefined },
    Math.floor(options.nowMs / 1000),
  );
  const receivedAt = new Date(options.nowMs);
  const reply = options.send ? await options.send(request, verdict) : null;
  return {
    receivedAt,
    request,
    verdict,
    status: reply ? reply.status : null,
    forward: reply ? forwardResult(reply) : null,
    aborted: false,
    editedFrom: original.seq,
  };
}
