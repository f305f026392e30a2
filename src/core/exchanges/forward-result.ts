import { utf8Prefix } from "../receiving/forwarding.js";
import type { ForwardReply } from "../receiving/ports.js";
import type { ForwardResult } from "./exchange.js";

/** Bytes of the app's answer body written into a recorded or `--json` line. */
export const ANSWER_LINE_BYTES = 2 * 1024;

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
