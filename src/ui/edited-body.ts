import { editableText, editedBytes } from "../core/exchanges/edited.js";
import type { Exchange } from "../core/exchanges/exchange.js";

/** Opens text in the user's editor; resolves with what was saved. */
export type Editor = (text: string, name: string) => Promise<string>;

/** `e`: the event in the user's editor; what was saved is what is sent (see editedBytes). */
export async function editedBody(ex: Exchange, edit: Editor): Promise<Buffer> {
  return editedBytes(ex, await edit(editableText(ex), `event-${ex.seq}.json`));
}
