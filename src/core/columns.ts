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

/**
 * `text` in lines of at most `columns` columns, cut between whole characters (at a space when one
 * is in the second half of the line); the lines after the first start with `indent`.
 */
export function wrapToColumns(text: string, columns: number, indent = "    "): string[] {
  if (stringWidth(text) <= columns) return [text];
  const lines: string[] = [];
  let line = "";
  let used = 0;
  let lastSpace = -1;
  for (const { segment } of graphemes.segment(text)) {
    const width = stringWidth(segment);
    if (used + width > columns && line.trim() !== "") {
      const cut = lastSpace > line.length / 2 ? lastSpace : line.length;
      lines.push(line.slice(0, cut).trimEnd());
      line = indent + line.slice(cut).trimStart();
      used = stringWidth(line);
      lastSpace = -1;
    }
    if (segment === " ") lastSpace = line.length;
    line += segment;
    used += width;
  }
  if (line.trim() !== "") lines.push(line);
  return lines;
}
