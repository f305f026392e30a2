import { isPlainObject, tryParseJson } from "../json.js";

/*
 * The fields of one recording line, read without parsing its embedded body.
 *
 * A `listen --record` line ends with the body's exact bytes when they are JSON
 * (`"body_encoding":"json","body_start":<byte offset>,"body":<bytes>}`, see line-encoder.ts). A
 * replay needs the fields before the body and the body as bytes, never the body parsed: so only
 * the head (the bytes before `body_start`, closed with `null}`) is parsed, and the body is taken as
 * the byte slice. A cut line is still told from a whole one: the body's brackets must balance
 * (outside strings), which every proper prefix of a line the listener wrote fails.
 * Any line that does not have that shape (other encodings, lines written by hand, other programs)
 * is parsed whole: `recordOfLineWhole`, the reference the property test pins this reader to.
 */

/** The field that precedes the body's byte offset; it comes first in the line's own fields. */
const MARKER = Buffer.from(',"body_encoding":"json","body_start":');
const BODY_KEY = Buffer.from(',"body":');
const CLOSE = 0x7d; // }

/**
 * The record of a line (a JSON object holding a `body` field; for embedded JSON bodies the
 * `body` field is null and `body_start` locates the bytes: see `recordedBody`), `"blank"` for a
 * line of white space, or null when it is not a complete recorded request.
 */
export function recordOfLine(bytes: Buffer): Record<string, unknown> | "blank" | null {
  const start = embeddedBodyStart(bytes);
  if (start !== -1) {
    const head = tryParseJson(`${bytes.toString("utf8", 0, start)}null}`);
    if (
      head.ok &&
      isPlainObject(head.value) &&
      head.value.body_encoding === "json" &&
      head.value.body_start === start
    ) {
      return head.value;
    }
  }
  return recordOfLineWhole(bytes);
}

/** The reference: the whole line parsed, body included. */
export function recordOfLineWhole(bytes: Buffer): Record<string, unknown> | "blank" | null {
  const line = bytes.toString("utf8");
  if (line.trim() === "") return "blank";
  const parsed = tryParseJson(line);
  if (!parsed.ok || !isPlainObject(parsed.value) || !("body" in parsed.value)) return null;
  return parsed.value;
}

/**
 * The byte offset where an embedded JSON body starts, when the line has the listener's shape
 * around it and the body's brackets balance up to the line's final `}`; otherwise -1.
 */
function embeddedBodyStart(bytes: Buffer): number {
  if (bytes.length === 0 || bytes[bytes.length - 1] !== CLOSE) return -1;
  const marker = bytes.indexOf(MARKER);
  if (marker === -1) return -1;
  // The offset is padded with spaces to a fixed width, before or after its digits.
  let i = marker + MARKER.length;
  while (bytes[i] === 0x20) i++;
  let start = 0;
  const digitsFrom = i;
  for (let c = bytes[i]; c !== undefined && c >= 0x30 && c <= 0x39; c = bytes[++i]) {
    start = start * 10 + (c - 0x30);
  }
  if (i === digitsFrom || i - digitsFrom > 15) return -1;
  while (bytes[i] === 0x20) i++;
  if (i + BODY_KEY.length !== start || start >= bytes.length) return -1;
  if (bytes.compare(BODY_KEY, 0, BODY_KEY.length, i, start) !== 0) return -1;
  return balanced(bytes, start, bytes.length - 1) ? start : -1;
}

/** Whether `{`/`[` and `}`/`]` outside strings balance in bytes [from, to), never going below 0. */
function balanced(bytes: Buffer, from: number, to: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth < 0) return false;
  }
  return depth === 0 && !inString;
}
