import { isUtf8 } from "node:buffer";
import { LOOP_HEADER } from "../receiving/forwarding.js";
import type { HeaderMap } from "../receiving/receive.js";
import { sign } from "../signing/signature.js";

/*
 * A request as a ready-to-run curl command: `printf '…' | curl … --data-binary @-`. The body goes
 * through the shell's own printf (no argument-length limit, NUL bytes kept) into curl's stdin, so
 * no recorded body can make curl read a local file (`@/etc/passwd`). Every argument is quoted for
 * a POSIX shell, and any byte a terminal could act on is written as an escape (`\033`, `$'\x1b'`),
 * so the command is both exact and safe to print. `--fail-with-body`: an error answer fails it.
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
const PLAIN_CHARS =
  "\\u0020-\\u0026\\u0028-\\u007e\\u00a0-\\u2027\\u202f-\\u2065\\u206a-\\ufffd\\u{10000}-\\u{10ffff}";
const PLAIN = new RegExp(`^[${PLAIN_CHARS}]*$`, "u");
const PLAIN_CHAR = new RegExp(`^[${PLAIN_CHARS}]$`, "u");
/** An HTTP header name (RFC 9110 token): anything else is not sent. */
const TOKEN = /^[!#$%&'*+.^`|~\w-]+$/;
/** Bytes curl would send as more than one header line (or cut at). */
const BREAKS_HEADER = /[\r\n\0]/;

const FORMAT_ESCAPES: Readonly<Record<string, string>> = {
  "'": "'\\''",
  "%": "%%",
  "\\": "\\\\",
  "\n": "\\n",
};

const octal = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => `\\${b.toString(8).padStart(3, "0")}`).join("");

/** A printf format, single-quoted, that prints exactly these bytes. */
export function printfFormat(bytes: Buffer): string {
  const parts: string[] = [];
  // Not UTF-8: one character a byte, and only ASCII written as itself.
  const encoding = isUtf8(bytes) ? "utf8" : "latin1";
  for (const char of bytes.toString(encoding)) {
    const escaped = FORMAT_ESCAPES[char];
    // A format that starts with "-" would be read as an option of printf: the dash goes as \055.
    if (char === "-" && parts.length === 0) parts.push("\\055");
    else if (escaped !== undefined) parts.push(escaped);
    else if (PLAIN_CHAR.test(char) && (encoding === "utf8" || char < "\u0080")) parts.push(char);
    else parts.push(octal(Buffer.from(char, encoding)));
  }
  return `'${parts.join("")}'`;
}

/** A header as it goes on the wire: node gives one character a byte (latin-1), else UTF-8. */
const headerBytes = (line: string): Buffer =>
  Buffer.from(line, /[\u0100-\uffff]/.test(line) ? "utf8" : "latin1");

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

/** The recorded headers worth sending again, as `name: value` lines. */
function headerLines(req: CurlRequest): string[] {
  const replaced = new Set(
    [req.signatureHeader, req.signatureHeaderUsed ?? ""].map((h) => h.toLowerCase()),
  );
  const lines: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || NOT_SENT.has(name.toLowerCase()) || !TOKEN.test(name)) continue;
    if (req.secret && replaced.has(name.toLowerCase())) continue;
    const joined = Array.isArray(value) ? value.join(", ") : value;
    if (!BREAKS_HEADER.test(joined)) lines.push(`${name}: ${joined}`);
  }
  if (req.secret) {
    const header = req.signatureHeaderUsed ?? req.signatureHeader;
    lines.push(`${header}: ${sign(req.secret, req.body, req.timestamp)}`);
  }
  return lines;
}

/**
 * `printf '…' | curl -sS --fail-with-body -X POST URL -H … --data-binary @-`, with a signature
 * computed now.
 */
export function curlCommand(req: CurlRequest): string {
  const parts = ["curl", "-sS", "--fail-with-body", "-X", "POST", shellQuote(req.url)];
  for (const line of headerLines(req)) parts.push("-H", shellQuote(headerBytes(line)));
  parts.push("--data-binary", "@-");
  return `printf ${printfFormat(req.body)} | ${parts.join(" ")}`;
}
