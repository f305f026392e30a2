import type { IncomingRequest, Verdict } from "./receive.js";

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
  /** Sent from the live UI (`e`): an edited copy of this exchange. */
  editedFrom?: number;
}

/**
 * The exact body bytes of a recorded line. For `json` bodies, `line` is the line itself (its
 * UTF-8 bytes, without the line break) and `body_start` a byte offset into it: the body is the
 * bytes from there up to the line's closing `}`.
 */
export function recordedBody(
  record: { body?: unknown; body_encoding?: unknown; body_start?: unknown },
  line: Buffer | string = "",
): Buffer {
  if (record.body_encoding === "json" && typeof record.body_start === "number") {
    const bytes = typeof line === "string" ? Buffer.from(line, "utf8") : line;
    return bytes.subarray(record.body_start, bytes.length - 1);
  }
  const body = typeof record.body === "string" ? record.body : "";
  return Buffer.from(body, record.body_encoding === "base64" ? "base64" : "utf8");
}

/** The request of `original` with another body (an edited event), its length updated. */
export function editedRequest(original: Exchange, body: Buffer): IncomingRequest {
  return {
    ...original.request,
    headers: { ...original.request.headers, "content-length": String(body.length) },
    body,
  };
}
