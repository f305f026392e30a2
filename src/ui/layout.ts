/*
 * How the live UI divides the terminal: the rows left for the list and the details, and which
 * columns a row has at a given width (narrow terminals drop columns instead of wrapping rows).
 */

/** The header box: a border above and below two lines. */
export const HEADER_ROWS = 4;
/** The status line and the key help under the list. */
export const FOOTER_ROWS = 2;
/** Ink redraws the whole screen when a frame fills it: one row stays free. */
const SPARE_ROWS = 1;

export const NARROW_COLUMNS = 60;

export type ColumnKey = "time" | "sig" | "schema" | "type" | "title" | "id" | "status";

export interface Column {
  key: ColumnKey;
  label: string;
  /** Fixed width; the title column takes what is left (`grow`). */
  width: number;
  grow?: boolean;
}

/** The selection marker before each row. */
export const MARKER_WIDTH = 2;

/** The event column's width, and the title's least, in the wide layout. */
const TYPE_WIDE = 28;
const TITLE_MIN_WIDE = 40;

const WIDE: readonly Column[] = [
  { key: "time", label: "TIME", width: 9 },
  { key: "sig", label: "SIG", width: 4 },
  { key: "schema", label: "SCH", width: 4 },
  { key: "type", label: "EVENT", width: TYPE_WIDE },
  { key: "title", label: "TITLE", width: 12, grow: true },
  { key: "id", label: "EVENT ID", width: 23 },
  { key: "status", label: "STATUS", width: 12 },
];

/** Below WIDE_COLUMNS the event type is shown by its short name (`created`). */
export const WIDE_COLUMNS = 100;

const MEDIUM: readonly Column[] = WIDE.map((c) => (c.key === "type" ? { ...c, width: 10 } : c));

const NARROW: readonly Column[] = [
  { key: "sig", label: "SIG", width: 4 },
  { key: "schema", label: "SCH", width: 4 },
  { key: "type", label: "EVENT", width: 10 },
  { key: "title", label: "TITLE", width: 8, grow: true },
  { key: "status", label: "STATUS", width: 10 },
];

/** The live UI's keys and what each does: `?` shows them, `--help` too. */
export const KEY_LIST: ReadonlyArray<readonly [string, string]> = [
  ["↑↓ PgUp PgDn Home End", "move (in the details: scroll)"],
  ["Enter", "the selected request's details (Enter or Esc: back)"],
  ["/", "search; Enter keeps it, Esc clears it, Ctrl-U empties it"],
  ["f / F", "next event type / any type"],
  ["v / V", "next verdict (invalid, rejected, forward failed) / any verdict"],
  ["Esc", "clear the search, the type and the verdict"],
  ["r", "replay to the app (a rejected request: press r twice)"],
  ["e", "edit the event in $EDITOR and send it"],
  ["c", "a curl command for the request, printed and copied"],
  ["x / h", "write the event as a JSON template / the request as HAR"],
  ["?", "this list"],
  ["q", "quit"],
];

/** The keys for `--help` (the README's table says more). */
export const UI_KEYS = `Keys in the live UI:\n${KEY_LIST.map(([keys, what]) => `  ${keys.padEnd(22)}${what}`).join("\n")}`;

/** Below 40 columns: the status before the type and title, which are cut at the edge. */
const TINY_COLUMNS = 40;
const TINY: readonly Column[] = [
  { key: "sig", label: "SIG", width: 4 },
  { key: "schema", label: "SCH", width: 4 },
  { key: "status", label: "STATUS", width: 10 },
  { key: "type", label: "EVENT", width: 10 },
  { key: "title", label: "TITLE", width: 8, grow: true },
];

export function isNarrow(columns: number): boolean {
  return columns <= NARROW_COLUMNS;
}

/** Widest the event column grows to (a rejection's reason shows there). */
const TYPE_MAX = 80;

/**
 * The columns of a row at this terminal width. The width left over is shared: the title takes
 * it, and on a wide terminal the event column (which holds a rejection's reason) takes half of
 * what is beyond the wide layout, up to TYPE_MAX.
 */
export function listColumns(columns: number): Column[] {
  const base =
    columns < TINY_COLUMNS
      ? TINY
      : isNarrow(columns)
        ? NARROW
        : columns < WIDE_COLUMNS
          ? MEDIUM
          : WIDE;
  const fixed = base.reduce((sum, c) => sum + (c.grow ? 0 : c.width), MARKER_WIDTH);
  const spare = Math.max(0, columns - fixed - TITLE_MIN_WIDE);
  const typeExtra = base === WIDE ? Math.min(Math.floor(spare / 2), TYPE_MAX - TYPE_WIDE) : 0;
  return base.map((c) => {
    if (c.grow) return { ...c, width: Math.max(c.width, columns - fixed - typeExtra) };
    return c.key === "type" ? { ...c, width: c.width + typeExtra } : c;
  });
}

/** Rows of the request list: the terminal minus the header, column names, footer and `extra`. */
export function listHeight(rows: number, extra = 0): number {
  return Math.max(1, rows - HEADER_ROWS - 1 - FOOTER_ROWS - SPARE_ROWS - extra);
}

/** Rows of the details view. */
export function detailsHeight(rows: number, extra = 0): number {
  return Math.max(3, rows - HEADER_ROWS - FOOTER_ROWS - SPARE_ROWS - extra);
}
