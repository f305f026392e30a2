import { isUtf8 } from "node:buffer";
import { usageError } from "../core/errors.js";
import type { Exchange } from "../core/exchanges/exchange.js";
import { tryParseJson } from "../core/json.js";
import { laidOutJson } from "../core/json-indent.js";

/** Opens text in the user's editor; resolves with what was saved. */
export type Editor = (text: string, name: string) => Promise<string>;

/**
 * `e`: the event in the user's editor, laid out token by token (big integers, `1.0`, duplicate
 * keys and escapes as they came). Saved unchanged, the exact bytes go; saved changed, the text as
 * saved, which must be JSON: what you typed is what the app gets (and what is signed).
 */
export async function editedBody(ex: Exchange, edit: Editor): Promise<Buffer> {
  const body = ex.request.body;
  const text = body.toString("utf8");
  const laidOut = isUtf8(body) ? laidOutJson(text) : null;
  const shown = laidOut !== null && "text" in laidOut ? `${laidOut.text}\n` : text;
  const edited = await edit(shown, `event-${ex.seq}.json`);
  if (edited === shown) return body;
  const check = tryParseJson(edited);
  if (!check.ok) {
    const { line, column, message } = check.error;
    throw usageError(
      "BAD_JSON",
      `the edited event is not JSON (line ${line}, column ${column}: ${message}); nothing was sent`,
    );
  }
  return Buffer.from(edited, "utf8");
}
