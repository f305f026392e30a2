/*
 * The one sanitiser for outside text (request and response bodies, headers, recorded fields,
 * titles, file contents) on its way to a terminal. C0 and C1 control characters, DEL, the Unicode
 * line separators and the bidirectional overrides and isolates are shown escaped (`\u001b`), so no
 * escape sequence (CSI, OSC, …) can move the cursor, clear the screen, set the title or reorder
 * what is shown. JSON output needs none of this: JSON.stringify already escapes control
 * characters (and the writers escape U+2028/2029 and the bidi controls through `jsonSafe`).
 */

// C0 but \t \n, DEL, C1, U+2028/2029, bidi embeddings/overrides (202A–202E) and isolates (2066–2069).
const UNSAFE_BLOCK =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// The same, and \t \n too: a one-line field never breaks or jumps.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escaped = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

const lineMark = (ch: string): string => {
  if (ch === "\n") return "↵";
  if (ch === "\t") return "⇥";
  return escaped(ch);
};

/** Outside text for one line of a terminal: controls escaped, a newline `↵`, a tab `⇥`. */
export function safeLine(text: string): string {
  return text.replace(UNSAFE_LINE, lineMark);
}

/** Outside text shown as several lines (a body, a file): newlines and tabs kept, the rest escaped. */
export function safeBlock(text: string): string {
  return text.replace(UNSAFE_BLOCK, escaped);
}

// jsonSafe lives in core (the NDJSON line encoder needs it); exported here with the rest.
export { jsonSafe } from "../core/json.js";

// Colour codes (SGR, `ESC [ … m`) are ours, written by chalk; everything else is not.
const COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** True when text holds nothing a terminal would act on but our own colours (for tests). */
export function isTerminalSafe(text: string): boolean {
  return !RAW_CONTROL.test(text.replace(COLOUR, ""));
}
