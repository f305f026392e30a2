import { tryParseJson } from "./json.js";

/*
 * Pretty-printing JSON without changing a value: the text is re-indented token by token, never
 * parsed into JavaScript values and serialised again. Big integers, `1.0`, `1e2`, escapes,
 * duplicate keys and key order all stay exactly as they were. Iterative: any depth up to `maxDepth`.
 */

export interface IndentOptions {
  /** Spaces per level. Default 2. */
  indent?: number;
  /** Deeper nesting throws `TooDeep` (the output would hold depth × indent spaces per line). */
  maxDepth?: number;
  /** Rewrites the raw text of each string VALUE token (keys are left alone). */
  mapString?: (raw: string) => string;
}

export class TooDeep extends Error {
  constructor(readonly depth: number) {
    super(`nested deeper than ${depth} levels`);
  }
}

export class NotJson extends Error {
  constructor(readonly offset: number) {
    super(`not JSON at character ${offset}`);
  }
}

const WS = new Set([" ", "\t", "\n", "\r"]);
const PUNCTUATION = new Set(["{", "}", "[", "]", ",", ":"]);

/** Where the token starting at `at` ends: one punctuation mark, a whole string, or a bare word. */
function tokenEnd(text: string, at: number): number {
  const ch = text[at] as string;
  if (PUNCTUATION.has(ch)) return at + 1;
  let i = at + 1;
  if (ch === '"') {
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) throw new NotJson(at);
    return i + 1;
  }
  while (i < text.length && !WS.has(text[i] as string) && !PUNCTUATION.has(text[i] as string)) {
    if (text[i] === '"') break;
    i++;
  }
  return i;
}

/** The raw tokens of a JSON text (whitespace dropped), strings with their quotes and escapes. */
export function* jsonTokens(text: string): Generator<{ raw: string; at: number }> {
  let i = 0;
  while (i < text.length) {
    if (WS.has(text[i] as string)) {
      i++;
      continue;
    }
    const at = i;
    i = tokenEnd(text, at);
    yield { raw: text.slice(at, i), at };
  }
}

/** Lays out tokens as `JSON.stringify(v, null, indent)` does, each as written. */
class Layout {
  private readonly out: string[] = [];
  private depth = 0;
  /** The previous token opened a container (so an immediate close makes `{}` / `[]`). */
  private justOpened = false;
  /** Inside an object, whether the next string is a key; one entry per open container. */
  private readonly inObject: boolean[] = [];
  private expectKey = false;

  constructor(
    private readonly unit: string,
    private readonly maxDepth: number,
    private readonly mapString: ((raw: string) => string) | undefined,
  ) {}

  token(raw: string, at: number): void {
    const ch = raw[0];
    if (ch === "}" || ch === "]") {
      this.close(raw);
      return;
    }
    if (this.justOpened) this.newline();
    this.justOpened = false;
    if (ch === "{" || ch === "[") this.open(ch);
    else if (ch === ",") {
      this.out.push(",");
      this.newline();
      this.expectKey = this.inObject.at(-1) === true;
    } else if (ch === ":") {
      this.out.push(": ");
      this.expectKey = false;
    } else if (ch === '"') {
      this.out.push(!this.expectKey && this.mapString ? this.mapString(raw) : raw);
    } else if (ch !== undefined) this.out.push(raw);
    else throw new NotJson(at);
  }

  text(): string {
    return this.out.join("");
  }

  private open(ch: "{" | "["): void {
    if (++this.depth > this.maxDepth) throw new TooDeep(this.maxDepth);
    this.out.push(ch);
    this.inObject.push(ch === "{");
    this.justOpened = true;
    this.expectKey = ch === "{";
  }

  private close(raw: string): void {
    this.depth--;
    if (!this.justOpened) this.newline();
    this.out.push(raw);
    this.inObject.pop();
    this.justOpened = false;
    this.expectKey = false;
  }

  private newline(): void {
    this.out.push("\n", this.unit.repeat(this.depth));
  }
}

/**
 * `text` (valid JSON: check it first) re-indented the way `JSON.stringify(v, null, 2)` lays it
 * out, with every token as written.
 */
export function reindentJson(text: string, options: IndentOptions = {}): string {
  const layout = new Layout(
    " ".repeat(options.indent ?? 2),
    options.maxDepth ?? Number.POSITIVE_INFINITY,
    options.mapString,
  );
  for (const { raw, at } of jsonTokens(text)) layout.token(raw, at);
  return layout.text();
}

/**
 * The raw text of a JSON string token, written so that no placeholder in its value is expanded:
 * `\u007b` escapes of `{` are written as `{` (the same value), then `escapeText` is applied.
 */
export function escapeStringToken(raw: string, escapeText: (text: string) => string): string {
  if (!raw.includes("{") && !/\\u007[bB]/.test(raw)) return raw;
  let plain = "";
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch !== "\\") {
      plain += ch;
      continue;
    }
    const escaped = raw.slice(i, i + 6);
    if (/^\\u007[bB]$/.test(escaped)) {
      plain += "{";
      i += 5;
    } else {
      plain += raw.slice(i, i + 2);
      i++;
    }
  }
  return escapeText(plain);
}

/**
 * The deepest JSON laid out for people (details, editor, exported templates): deeper text is left
 * as it came, since laid out each line would carry depth × 2 spaces.
 */
export const MAX_LAYOUT_DEPTH = 1000;

/**
 * A body as people read it (the details view, the editor): JSON laid out token by token, or
 * `tooDeep` past MAX_LAYOUT_DEPTH levels, or null when it is not JSON.
 */
export function laidOutJson(text: string): { text: string } | { tooDeep: true } | null {
  if (text.length === 0 || !tryParseJson(text).ok) return null;
  try {
    return { text: reindentJson(text, { maxDepth: MAX_LAYOUT_DEPTH }) };
  } catch (error) {
    if (error instanceof TooDeep) return { tooDeep: true };
    throw error;
  }
}
