import { usageError } from "./errors.js";
import { jsonErrorOffset, lineColumn } from "./json-error.js";

export interface JsonErrorLocation {
  line: number;
  column: number;
  message: string;
}

/** The offset of the quote that ends the string opened at `i` (or the text's length). */
function stringEnd(text: string, i: number): number {
  let at = i + 1;
  while (at < text.length && text.charCodeAt(at) !== 34) at += text.charCodeAt(at) === 92 ? 2 : 1;
  return at;
}

/** How deeply a JSON text nests (arrays and objects), read without recursion. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) i = stringEnd(text, i);
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
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

/**
 * Whether a parsed JSON value nests arrays and objects more than `limit` deep (the top-level
 * object is level 1). Iterative, and stops at the first value past the limit.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  // Two parallel stacks: the arrays and objects still to look into, and their depths.
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child !== "object" || child === null) continue;
      nodes.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}

/**
 * A key's own value, never one inherited: `__proto__`, `constructor` and `prototype` are
 * ordinary keys of an event (JSON.parse makes them own properties too).
 */
export function ownValue(object: object, key: string | number): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string | number, unknown>)[key] : undefined;
}

/** Sets an own property, even one named `__proto__` (which `=` would take for the prototype). */
export function setOwn(object: object, key: string | number, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
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

/** Whether two JSON values are equal, key order aside; iterative (any depth of outside data). */
export function deepEqual(a: unknown, b: unknown): boolean {
  const pairs: Array<[unknown, unknown]> = [[a, b]];
  for (let pair = pairs.pop(); pair !== undefined; pair = pairs.pop()) {
    const [x, y] = pair;
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return false;
    for (const k of kx) {
      if (!Object.hasOwn(y, k)) return false;
      pairs.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return true;
}
