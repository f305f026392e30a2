// The web inspector's feed over a request log, for tests of the server and the page: nothing to
// send to (replays refused), curl and HAR pointed at a placeholder.
import { curlFor, type ExchangeActions } from "../../src/core/exchanges/actions.js";
import type { RequestLog } from "../../src/core/exchanges/request-log.js";
import type { InspectorFeed } from "../../src/web/api.js";

const TARGET = {
  url: "http://localhost:3000/",
  secret: undefined,
  signatureHeader: "X-Signature",
  timestamp: 1_700_000_000,
};

export const NO_ACTIONS: ExchangeActions = {
  cannotSend: "nowhere to send to in this test",
  replay: () => Promise.reject(new Error("no replay in this test")),
  checkSend: () => {},
  resend: () => Promise.reject(new Error("no resend in this test")),
  curl: (ex) => curlFor(ex, TARGET),
  curlSigned: () => false,
  curlNote: null,
  harTarget: () => TARGET,
};

export function feedOf(log: RequestLog, actions: ExchangeActions = NO_ACTIONS): InspectorFeed {
  return {
    source: log,
    actions,
    kind: "listen",
    title: "http://127.0.0.1:4000/",
    secret: null,
    sendsTo: () => null,
  };
}
