import stringWidth from "string-width";

/*
 * Text cut to a number of terminal columns: by display width (a wide character takes two, a
 * combining mark none), whole characters only (a grapheme is never split), with a marker.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** `text` as it fits in `columns`: whole, or its start and `…` (one column) within them. */
export function cutToColumns(text: string, columns: number): string {
  if (stringWidth(text) <= columns) return text;
  let used = 0;
  let out = "";
  for (const { segment } of graphemes.segment(text)) {
    const width = stringWidth(segment);
    if (used + width > columns - 1) break;
    used += width;
    out += segment;
  }
  return `${out}…`;
}
