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

/** The raw tokens of a JSON text (whitespace dropped), strings with their quotes and escapes. */
export function* jsonTokens(text: string): Generator<{ raw: string; at: number }> {
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (WS.has(ch)) {
      i++;
      continue;
    }
    const at = i;
    if ("{}[],:".includes(ch)) {
      i++;
    } else if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      if (i >= text.length) throw new NotJson(at);
      i++;
    } else {
      while (
        i < text.length &&
        !WS.has(text[i] as string) &&
        !'{}[],:"'.includes(text[i] as string)
      )
        i++;
    }
    yield { raw: text.slice(at, i), at };
  }
}

/**
 * `text` (valid JSON: check it first) re-indented the way `JSON.stringify(v, null, 2)` lays it
 * out, with every token as written.
 */
export function reindentJson(text: string, options: IndentOptions = {}): string {
  const unit = " ".repeat(options.indent ?? 2);
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const out: string[] = [];
  let depth = 0;
  /** The previous token opened a container (so an immediate close makes `{}` / `[]`). */
  let justOpened = false;
  /** Inside an object, whether the next string is a key; one entry per open container. */
  const inObject: boolean[] = [];
  let expectKey = false;
  const newline = () => out.push("\n", unit.repeat(depth));
  for (const { raw, at } of jsonTokens(text)) {
    const ch = raw[0];
    if (ch === "}" || ch === "]") {
      depth--;
      if (!justOpened) newline();
      out.push(raw);
      inObject.pop();
      justOpened = false;
      expectKey = false;
      continue;
    }
    if (justOpened) newline();
    justOpened = false;
    if (ch === "{" || ch === "[") {
      if (++depth > maxDepth) throw new TooDeep(maxDepth);
      out.push(raw);
      inObject.push(ch === "{");
      justOpened = true;
      expectKey = ch === "{";
    } else if (ch === ",") {
      out.push(",");
      newline();
      expectKey = inObject[inObject.length - 1] === true;
    } else if (ch === ":") {
      out.push(": ");
      expectKey = false;
    } else if (ch === '"') {
      out.push(!expectKey && options.mapString ? options.mapString(raw) : raw);
    } else if (ch !== undefined) {
      out.push(raw);
    } else {
      throw new NotJson(at);
    }
  }
  return out.join("");
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
