import { usageError } from "./errors.js";

export interface JsonErrorLocation {
  line: number;
  column: number;
  message: string;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Offset of the first character a JSON parser cannot accept (text.length when input ends early).
 * V8's own messages carry a position only sometimes, and differently across Node versions, so the
 * failure path scans the text itself. Only called after JSON.parse has failed.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; ) {
      c = text.charCodeAt(++i);
    }
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '"') return void i++;
      if (ch < " ") fail();
      if (ch === "\\") {
        i++;
        const esc = text[i];
        if (esc === "u") {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) {
              i += k;
              fail();
            }
          }
          i += 5;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++;
        else fail();
      } else i++;
    }
    fail();
  };
  const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const number = () => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m || m[0] === "" || m[0] === "-") fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const scalar = () => {
    const ch = text[i];
    if (ch === '"') string();
    else if (ch === "t") literal("true");
    else if (ch === "f") literal("false");
    else if (ch === "n") literal("null");
    else if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) number();
    else fail();
  };
  /** Iterative (an explicit stack of open containers): any depth, no stack overflow. */
  const value = (): void => {
    const open: string[] = [];
    for (;;) {
      // A value starts here.
      ws();
      const ch = text[i];
      if (ch === "{" || ch === "[") {
        i++;
        ws();
        if (text[i] === (ch === "{" ? "}" : "]")) i++;
        else {
          open.push(ch);
          if (ch === "{") key();
          continue;
        }
      } else scalar();
      // After a value: close containers, or go on to the next member.
      for (;;) {
        const top = open[open.length - 1];
        if (top === undefined) return;
        ws();
        if (text[i] === ",") {
          i++;
          if (top === "{") key();
          break;
        }
        if (text[i] === (top === "{" ? "}" : "]")) {
          i++;
          open.pop();
          continue;
        }
        fail();
      }
    }
  };
  /** `"name":` of an object member. */
  const key = () => {
    ws();
    if (text[i] !== '"') fail();
    string();
    ws();
    if (text[i] !== ":") fail();
    i++;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (offset) {
    return Math.min(offset as number, text.length);
  }
  return text.length;
}

/** How deeply a JSON text nests (arrays and objects), read without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) {
        if (text.charCodeAt(i) === 92) i++;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > max) max = depth;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/** Files and templates nested deeper than this are refused (every walk over them would overflow). */
export const MAX_JSON_DEPTH = 1000;

/** Where JSON.parse failed, as line and column, with V8's message minus its own location. */
export function locateJsonError(text: string, error: SyntaxError): JsonErrorLocation {
  const message =
    // V8 quotes the text around the error (`, "…"` or `, …"…"… is not valid JSON`): never shown.
    (
      error.message.split(/, "|, \.\.\."|\n| in JSON at position| at position/)[0] ?? error.message
    ).trim();
  const offset = jsonErrorOffset(text);
  return {
    ...lineColumn(text, offset),
    message: offset >= text.length ? "unexpected end of input" : message,
  };
}

export type JsonParseResult =
  | { ok: true; value: unknown }
  | { ok: false; error: JsonErrorLocation };

export function tryParseJson(text: string): JsonParseResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: locateJsonError(text, error as SyntaxError) };
  }
}

/** Keys whose values are secrets: never echoed, and no parse error quotes text near them. */
export const SECRET_LIKE_KEY = /secret|token|key|password/i;

/**
 * Parses JSON or throws a usage error naming the source, line and column. With `redact`, the
 * message quotes nothing of the text (not even the unexpected character): for files that may
 * hold a secret.
 */
export function parseJsonOrThrow(
  text: string,
  source: string,
  options: { redact?: boolean } = {},
): unknown {
  const result = tryParseJson(text);
  if (result.ok) {
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      throw usageError(
        "JSON_TOO_DEEP",
        `${source}: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
        "An event is a few levels deep: check the file.",
      );
    }
    return result.value;
  }
  const { line, column, message } = result.error;
  throw usageError(
    "BAD_JSON",
    options.redact
      ? `${source}:${line}:${column}: invalid JSON (the text is not shown: the file may hold a secret)`
      : `${source}:${line}:${column}: invalid JSON: ${message}`,
    "Fix the JSON at that position and try again.",
  );
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// What JSON.stringify leaves raw but a terminal would act on or reorder: DEL, C1 controls (0x9B is
// a CSI), the line separators and the bidi embeddings/overrides/isolates.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const JSON_UNSAFE_ONE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const escapedUnit = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * JSON text whose string contents may hold C1 or bidi controls or line separators: JSON.stringify
 * leaves those raw, so they are escaped here (the JSON stays valid and means the same).
 */
export function jsonSafe(json: string): string {
  return JSON_UNSAFE_ONE.test(json) ? json.replace(JSON_UNSAFE, escapedUnit) : json;
}

/**
 * True when UTF-8 bytes hold a character jsonSafe escapes (DEL, C1 as C2 80–9F, U+2028/2029 and
 * the bidi controls as E2 80 A8–AE and E2 81 A6–A9). Three memchr scans, no decoding.
 */
export function hasJsonUnsafeBytes(bytes: Uint8Array): boolean {
  const buf = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.indexOf(0x7f) !== -1) return true;
  for (let i = buf.indexOf(0xc2); i !== -1; i = buf.indexOf(0xc2, i + 1)) {
    const next = buf[i + 1] ?? 0;
    if (next >= 0x80 && next <= 0x9f) return true;
  }
  for (let i = buf.indexOf(0xe2); i !== -1; i = buf.indexOf(0xe2, i + 1)) {
    const a = buf[i + 1];
    const b = buf[i + 2] ?? 0;
    if (a === 0x80 && b >= 0xa8 && b <= 0xae) return true;
    if (a === 0x81 && b >= 0xa6 && b <= 0xa9) return true;
  }
  return false;
}
