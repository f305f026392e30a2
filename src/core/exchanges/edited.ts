import { isUtf8 } from "node:buffer";
import { usageError } from "../errors.js";
import { tryParseJson } from "../json.js";
import { laidOutJson } from "../json-indent.js";
import type { ForwardReply } from "../receiving/ports.js";
import {
  type IncomingRequest,
  type ReceiveConfig,
  receive,
  type Verdict,
} from "../receiving/receive.js";
import type { Exchange } from "./exchange.js";
import { forwardResult } from "./forward-result.js";

/**
 * The event as it is given to edit (an editor, the web page's form): laid out token by token (big
 * integers, `1.0`, duplicate keys and escapes as they came); the body as it came when it is no JSON.
 */
export function editableText(ex: Exchange): string {
  const body = ex.request.body;
  const text = body.toString("utf8");
  const laidOut = isUtf8(body) ? laidOutJson(text) : null;
  return laidOut !== null && "text" in laidOut ? `${laidOut.text}\n` : text;
}

/**
 * The body an edit sends. Unchanged, the exact bytes that came; changed, the text as typed, which
 * must be JSON: what you typed is what the app gets (and what is signed).
 */
export function editedBytes(ex: Exchange, edited: string): Buffer {
  if (edited === editableText(ex)) return ex.request.body;
  const check = tryParseJson(edited);
  if (!check.ok) {
    const { line, column, message } = check.error;
    throw usageError(
      "BAD_JSON",
      `the edited event is not JSON (line ${line}, column ${column}: ${message}); nothing was sent`,
    );
  }
  return Buffer.from(edited, "utf8");
}

/** The request of `original` with another body (an edited event), its length updated. */
export function editedRequest(original: Exchange, body: Buffer): IncomingRequest {
  return {
    ...original.request,
    headers: { ...original.request.headers, "content-length": String(body.length) },
    body,
  };
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
  const checked = receive(
    request,
    { ...options.config, secret: undefined },
    Math.floor(options.nowMs / 1000),
  );
  // Signed by ticket-hooks as it is sent (the headers kept are the original's): nothing to check.
  const verdict = {
    ...checked,
    signature: { status: "skipped" as const, header: null, reason: "signed afresh when sent" },
  };
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
    // Sent again as it was: a replay (shown ↻), not an edit (✎).
    ...(body.equals(original.request.body) ? { replayed: true } : {}),
  };
}
