import { curlCommand } from "./curl.js";
import type { Exchange, ForwardResult } from "./exchange.js";
import type { HarTarget } from "./exchange-export.js";

/*
 * What can be done with a captured request, wherever it is shown: the terminal UI's keys and the
 * web page's buttons call the same functions. `listen` sends to its forward target, `inspect` to
 * its --to; neither sends anywhere else.
 */
export interface ExchangeActions {
  /** Why replay and edit cannot send (no target), or null when they can. */
  readonly cannotSend: string | null;
  /** Sends the request again to the target, re-signed; resolves with the app's answer. */
  replay(exchange: Exchange): Promise<ForwardResult>;
  /**
   * Throws when an edit cannot be sent now (before an editor opens): no secret to sign it, or the
   * recording not read to its end.
   */
  checkSend(): void;
  /** Sends another body in place of the request's, re-signed: resolves with its new row. */
  resend(exchange: Exchange, body: Buffer): Promise<Exchange>;
  /** The request as a ready-to-run curl command, signed now. */
  curl(exchange: Exchange): string;
  /** False when there is no secret for it: the curl command carries the recorded signature. */
  curlSigned(exchange: Exchange): boolean;
  /** Said with the curl command (e.g. that its URL is a placeholder), or null. */
  readonly curlNote: string | null;
  /** Where a HAR export points the request, and how it signs it. */
  harTarget(exchange: Exchange): HarTarget;
}

/** A request as curl sends it to `target`, signed there when it has a secret. */
export function curlFor(ex: Exchange, target: HarTarget): string {
  return curlCommand({
    url: target.url,
    headers: ex.request.headers,
    body: ex.request.body,
    signatureHeader: target.signatureHeader,
    signatureHeaderUsed: ex.verdict.signature.header,
    secret: target.secret,
    timestamp: target.timestamp,
  });
}
