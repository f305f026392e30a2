import type { ForwardReply } from "../receiving/ports.js";
import {
  type IncomingRequest,
  type ReceiveConfig,
  receive,
  type Verdict,
} from "../receiving/receive.js";
import type { Exchange } from "./exchange.js";
import { forwardResult } from "./forward-result.js";

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
