import { systemClock, unixSeconds } from "../clock.js";
import { curlFor, type ExchangeActions } from "../exchanges/actions.js";
import type { Exchange } from "../exchanges/exchange.js";
import type { HarTarget } from "../exchanges/exchange-export.js";
import { DEFAULT_SIGNATURE_HEADER } from "../signing/signature.js";
import type { Listener } from "./listen.js";

export interface ListenActionsInfo {
  /** The listener's own URL: where curl and HAR point when there is no forward target. */
  url: string;
  secret: string | undefined;
  signatureHeader?: string | undefined;
}

/** The actions of `listen`: replays and edits go to the request's forward route. */
export function listenActions(listener: Listener, info: ListenActionsInfo): ExchangeActions {
  const targetOf = (ex: Exchange) => listener.forwardTargetFor(ex);
  const harTarget = (ex: Exchange): HarTarget => ({
    url: targetOf(ex)?.url ?? info.url,
    secret: targetOf(ex)?.secret ?? info.secret,
    signatureHeader: info.signatureHeader ?? DEFAULT_SIGNATURE_HEADER,
    timestamp: unixSeconds(systemClock),
  });
  return {
    cannotSend: listener.forwards
      ? null
      : "replay and edit send to your app: start listen with --forward-to URL",
    replay: (ex) => listener.replay(ex),
    checkSend: () => {},
    resend: (ex, body) => listener.resend(ex, body),
    curl: (ex) => curlFor(ex, harTarget(ex)),
    curlSigned: (ex) => harTarget(ex).secret !== undefined,
    curlNote: null,
    harTarget,
  };
}
