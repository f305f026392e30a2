import type { IncomingRequest, Verdict } from "../receiving/receive.js";

export interface ForwardResult {
  status: number | null;
  duration_ms: number;
  error: string | null;
  /** The app's answer headers (empty when it did not answer). */
  headers: Record<string, string>;
  /** The start of the app's answer body: 64 KiB kept in memory, 2 KiB in lines. */
  body: string;
  /** Bytes of the app's answer body in all. */
  body_bytes: number;
  /** `body` holds only the start of what the app sent. */
  body_truncated: boolean;
}

/** One request the listener handled, from arrival to answer. */
export interface Exchange {
  /** Sequence number in this run, from 1. */
  seq: number;
  receivedAt: Date;
  request: IncomingRequest;
  verdict: Verdict;
  /** What the sender was answered (the app's status when forwarding); null if it went away. */
  status: number | null;
  forward: ForwardResult | null;
  /** The client disconnected before the body was complete. */
  aborted: boolean;
  /**
   * Set on an older exchange the request log keeps as a summary (memory is bounded by bytes):
   * its body, headers and parsed event are dropped; `bodyBytes` is the body's size.
   */
  summary?: { bodyBytes: number };
  /** Sent from the live UI (`e`) or the web page: an edited copy of this exchange. */
  editedFrom?: number;
  /** With `editedFrom`: sent with the very bytes of that exchange (a replay, not an edit). */
  replayed?: boolean;
}
