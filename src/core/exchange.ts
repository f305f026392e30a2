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
 *
 * The body is kept byte for byte without re-serialising it. A body that parsed as JSON and holds
 * no line break is embedded as is, as the line's last field (`body_encoding: "json"`), and
 * `body_start` gives the offset in the line where its exact text begins. Any other UTF-8 body is a
 * JSON string (`"utf8"`), anything else base64 (`"base64"`). The event is never parsed and
 * serialised again into the line.
 */
export function exchangeLine(ex: Exchange): string {
  const { request: req, verdict: v } = ex;
  const utf8 = isUtf8(req.body);
  const text = utf8 ? req.body.toString("utf8") : req.body.toString("base64");
  const raw = utf8 && v.event !== undefined && !/[\n\r]/.test(text);
  const head = `{"type":"request","seq":${ex.seq},"received_at":"${ex.receivedAt.toISOString()}","method":${JSON.stringify(req.method)},"path":${JSON.stringify(req.url)},"headers":${JSON.stringify(req.headers)},"event_type":${JSON.stringify(v.eventType)},"event_id":${JSON.stringify(v.eventId)},"signature":${JSON.stringify(v.signature)},"validation":${v.validation ? `{"valid":${v.validation.valid},"errors":${JSON.stringify(v.validation.errors)},"warnings":${JSON.stringify(v.validation.warnings)}}` : "null"},"status":${ex.status},"rejected":${v.rejected},"error":${JSON.stringify(v.error)},"filtered":${v.filtered},"aborted":${ex.aborted},"forward":${ex.forward ? JSON.stringify(ex.forward) : "null"},"body_encoding":`;
  if (!raw) return `${head}"${utf8 ? "utf8" : "base64"}","body":${JSON.stringify(text)}}`;
  // body_start has a fixed width (padded with spaces, which JSON allows), so the offset can be
  // computed before it is written.
  const prefix = `${head}"json","body_start":`;
  const start = prefix.length + BODY_START_WIDTH + ',"body":'.length;
  return `${prefix}${String(start).padStart(BODY_START_WIDTH, " ")},"body":${text}}`;
}

const BODY_START_WIDTH = 10;

/** The exact body bytes of a recorded line (`line` is the line's text, for `json` bodies). */
export function recordedBody(
  record: { body?: unknown; body_encoding?: unknown; body_start?: unknown },
  line = "",
): Buffer {
  if (record.body_encoding === "json" && typeof record.body_start === "number") {
    return Buffer.from(line.slice(record.body_start, line.length - 1), "utf8");
  }
  const body = typeof record.body === "string" ? record.body : "";
  return Buffer.from(body, record.body_encoding === "base64" ? "base64" : "utf8");
}
