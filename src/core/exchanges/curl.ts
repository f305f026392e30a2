import { isUtf8 } from "node:buffer";
import { LOOP_HEADER } from "../receiving/forwarding.js";
import type { HeaderMap } from "../receiving/receive.js";
import { sign } from "../signing/signature.js";

/*
 * A request as a ready-to-run curl command. Every argument is quoted for a POSIX shell, and any
 * byte a terminal could act on is written as an escape (`$'\x1b'`), so the command is both exact
 * and safe to print.
 */

const NOT_SENT = new Set([
  "host",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "expect",
  "upgrade",
  "te",
  "trailer",
  LOOP_HEADER,
]);

// Printable ASCII but ', and every non-ASCII character but controls, line separators and bidi.
const PLAIN =
  /^[\u0020-\u0026\u0028-\u007e\u00a0-\u2027\u202f-\u2065\u206a-\ufffd\u{10000}-\u{10ffff}]*$/u;

/** One shell word for these bytes: '…' when plain text, else $'…' with escapes (bash, zsh, ksh). */
export function shellQuote(value: string | Buffer): string {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  const text = bytes.toString("utf8");
  if (isUtf8(bytes) && PLAIN.test(text.replaceAll("'", ""))) {
    return `'${text.replaceAll("'", "'\\''")}'`;
  }
  let out = "$'";
  for (const byte of bytes) {
    if (byte === 0x27) out += "\\'";
    else if (byte === 0x5c) out += "\\\\";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `${out}'`;
}

export interface CurlRequest {
  url: string;
  headers: HeaderMap;
  body: Buffer;
  /** Sign afresh into this header (replacing the received signature). */
  signatureHeader: string;
  /** The header the request's signature was found in, if any (replaced). */
  signatureHeaderUsed?: string | null;
  secret?: string | undefined;
  /** Unix seconds for the fresh signature. */
  timestamp: number;
}

/** `curl -sS -X POST URL -H … --data-binary '…'`, with a signature computed now. */
export function curlCommand(req: CurlRequest): string {
  const replaced = new Set(
    [req.signatureHeader, req.signatureHeaderUsed ?? ""].map((h) => h.toLowerCase()),
  );
  const parts = ["curl", "-sS", "-X", "POST", shellQuote(req.url)];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || NOT_SENT.has(name.toLowerCase())) continue;
    if (req.secret && replaced.has(name.toLowerCase())) continue;
    const joined = Array.isArray(value) ? value.join(", ") : value;
    parts.push("-H", shellQuote(`${name}: ${joined}`));
  }
  if (req.secret) {
    const header = req.signatureHeaderUsed ?? req.signatureHeader;
    parts.push("-H", shellQuote(`${header}: ${sign(req.secret, req.body, req.timestamp)}`));
  }
  parts.push("--data-binary", shellQuote(req.body));
  return parts.join(" ");
}
