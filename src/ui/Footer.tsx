import { Box, Text } from "ink";
import { safeLine } from "../terminal/safe-text.js";
import { filterTexts, type ViewState } from "./view-state.js";

const count = (n: number) => n.toLocaleString("en-US");

export interface FooterProps {
  state: ViewState;
  now: number;
  /** 1-based position of the selection in the visible list, and its length. */
  position: number;
  total: number;
  details: { offset: number; height: number; length: number } | null;
  /** Background work still going (`searching 45%`), or null. */
  progress?: string | null;
  /** The terminal's width: a narrow one shows the search text without the key hint. */
  columns?: number;
}

/**
 * The key hints, most useful first: as many as the width holds are shown, always with `q quit`
 * and `? keys` (the full list).
 */
const DETAILS_KEYS = [
  "Enter/Esc back",
  "↑↓ scroll",
  "r replay",
  "e edit",
  "c curl",
  "PgUp PgDn Home End",
  "x json",
  "h har",
];
const LIST_KEYS = [
  "Enter details",
  "/ search",
  "f type",
  "v verdict",
  "r replay",
  "e edit",
  "c curl",
  "↑↓ PgUp PgDn Home End",
  "x json",
  "h har",
];
const ALWAYS = ["? keys", "q quit"];

/** The hints that fit in `room` columns (all ASCII or single-width arrows), joined. */
export function keyHints(keys: readonly string[], room: number): string {
  const sep = " · ";
  let shown: string[] = [];
  for (const key of keys) {
    const next = [...shown, key, ...ALWAYS].join(sep);
    if (next.length > room) break;
    shown = [...shown, key];
  }
  return [...shown, ...ALWAYS].join(sep);
}

/** `lines 1–20 of 312`: where the details view is. */
function detailsPosition({ offset, height, length }: NonNullable<FooterProps["details"]>): string {
  return `lines ${count(Math.min(length, offset + 1))}–${count(Math.min(length, offset + height))} of ${count(length)}`;
}

/** The first line: the search being typed, else the status message while it lasts. */
function StatusLine({ state, now, columns }: { state: ViewState; now: number; columns: number }) {
  if (state.searching) {
    return (
      <Text wrap="truncate-start">
        <Text color="cyan">/</Text>
        {safeLine(state.query)}
        <Text inverse> </Text>
        {columns > 60 ? <Text dimColor> Enter: keep · Esc: clear</Text> : null}
      </Text>
    );
  }
  const message = state.message && state.message.until > now ? state.message : null;
  if (!message) return <Text> </Text>;
  return (
    <Text wrap="truncate-end" color={message.tone === "error" ? "red" : "cyan"}>
      {message.text}
    </Text>
  );
}

/** The status line (a message, or the search being typed) and the key help with the position. */
export function Footer({
  state,
  now,
  position,
  total,
  details,
  progress,
  columns = 80,
}: FooterProps) {
  const filters = filterTexts(state);
  const where = details
    ? detailsPosition(details)
    : `${count(total === 0 ? 0 : position)}/${count(total)}${progress ? ` (${progress})` : ""}`;
  const lead = `${where}${filters.length > 0 ? ` · ${filters.join(" · ")}` : ""} · `;
  const hints = keyHints(details ? DETAILS_KEYS : LIST_KEYS, columns - 1 - [...lead].length);
  return (
    <Box flexDirection="column" flexShrink={0}>
      <StatusLine state={state} now={now} columns={columns} />
      <Text wrap="truncate-end" dimColor>
        <Text bold>{where}</Text>
        {filters.length > 0 ? ` · ${filters.join(" · ")}` : ""} · {hints}
      </Text>
    </Box>
  );
}
