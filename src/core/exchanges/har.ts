import { isUtf8 } from "node:buffer";
import { sign } from "../signing/signature.js";

/*
 * Recorded requests as a HAR 1.2 log (the format browsers' devtools, Postman and Insomnia import):
 * each entry is the request as it would be sent now to `url`, signed afresh when a secret is given.
 * The responses were not recorded: each entry's response is empty (status 0).
 */

/** A request to write as a HAR entry (a recorded event, or a captured exchange). */
export interface HarRequest {
  /** Where it comes from (`file:line`, `#seq`), for the entry's comment. */
  where: string;
  /** Arrival time in ms since the epoch, when known. */
  receivedAt: number | null;
  body: Buffer;
  eventType: string | null;
  eventId: string | null;
  /** The signature header's value as received, kept when no secret signs afresh. */
  signature: string | undefined;
}

export interface HarOptions {
  url: string;
  secret?: string | undefined;
  signatureHeader: string;
  /** Unix seconds for fresh signatures. */
  timestamp: number;
  creator: { name: string; version: string };
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: "POST";
    url: string;
    httpVersion: string;
    headers: Array<{ name: string; value: string }>;
    queryString: [];
    cookies: [];
    headersSize: -1;
    bodySize: number;
    postData: { mimeType: string; text: string; encoding?: "base64" };
  };
  response: {
    status: 0;
    statusText: string;
    httpVersion: string;
    headers: [];
    cookies: [];
    content: { size: 0; mimeType: string };
    redirectURL: string;
    headersSize: -1;
    bodySize: -1;
  };
  cache: Record<string, never>;
  timings: { send: 0; wait: 0; receive: 0 };
  comment: string;
}

export function harEntry(record: HarRequest, options: HarOptions): HarEntry {
  const headers = [{ name: "Content-Type", value: "application/json" }];
  const signature = options.secret
    ? sign(options.secret, record.body, options.timestamp)
    : record.signature;
  if (signature) headers.push({ name: options.signatureHeader, value: signature });
  const text = isUtf8(record.body);
  return {
    startedDateTime: new Date(record.receivedAt ?? 0).toISOString(),
    time: 0,
    request: {
      method: "POST",
      url: options.url,
      httpVersion: "HTTP/1.1",
      headers,
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: record.body.length,
      postData: text
        ? { mimeType: "application/json", text: record.body.toString("utf8") }
        : {
            mimeType: "application/json",
            text: record.body.toString("base64"),
            encoding: "base64",
          },
    },
    response: {
      status: 0,
      statusText: "not recorded",
      httpVersion: "HTTP/1.1",
      headers: [],
      cookies: [],
      content: { size: 0, mimeType: "application/json" },
      redirectURL: "",
      headersSize: -1,
      bodySize: -1,
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    comment:
      `${record.where}: ${record.eventType ?? "(no event type)"} ${record.eventId ?? ""}`.trim(),
  };
}

export function harLog(entries: HarEntry[], creator: HarOptions["creator"]): string {
  return `${JSON.stringify({ log: { version: "1.2", creator, entries } }, null, 2)}\n`;
}
