import { isUtf8 } from "node:buffer";
import type { IncomingRequest, Verdict } from "./receive.js";

export interface ForwardResult {
  status: number | null;
  duration_ms: number;
  error: string | null;
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
}

/**
 * The NDJSON line of an exchange: the recording format and the `listen --json` output alike.
 * The body is embedded as a JSON string of its exact bytes (base64 when not UTF-8); the event is
 * never parsed-and-re-serialised into the line.
 */
export function exchangeLine(ex: Exchange): string {
  const { request: req, verdict: v } = ex;
  const utf8 = isUtf8(req.body);
  const body = utf8 ? req.body.toString("utf8") : req.body.toString("base64");
  return `{"type":"request","seq":${ex.seq},"received_at":"${ex.receivedAt.toISOString()}","method":${JSON.stringify(req.method)},"path":${JSON.stringify(req.url)},"headers":${JSON.stringify(req.headers)},"body":${JSON.stringify(body)},"body_encoding":"${utf8 ? "utf8" : "base64"}","event_type":${JSON.stringify(v.eventType)},"event_id":${JSON.stringify(v.eventId)},"signature":${JSON.stringify(v.signature)},"validation":${v.validation ? `{"valid":${v.validation.valid},"errors":${JSON.stringify(v.validation.errors)},"warnings":${JSON.stringify(v.validation.warnings)}}` : "null"},"status":${ex.status},"rejected":${v.rejected},"error":${JSON.stringify(v.error)},"filtered":${v.filtered},"aborted":${ex.aborted},"forward":${ex.forward ? JSON.stringify(ex.forward) : "null"}}`;
}

/** The raw body bytes of a recorded line. */
export function recordedBody(record: { body?: unknown; body_encoding?: unknown }): Buffer {
  const body = typeof record.body === "string" ? record.body : "";
  return Buffer.from(body, record.body_encoding === "base64" ? "base64" : "utf8");
}
