import { Box, Text } from "ink";
import { safeLine } from "../terminal/safe-text.js";
import { filterOf, type ViewState } from "./view-state.js";

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

const DETAILS_KEYS =
  "↑↓ PgUp PgDn Home End scroll · Enter/Esc back · r replay · e edit · c curl · x json · h har · q quit";
const LIST_KEYS =
  "↑↓ PgUp PgDn Home End · Enter details · / search · f type · v verdict · r replay · e edit · c curl · x json · h har · q quit";

/** The filters in force, in words. */
function filterTexts(state: ViewState): string[] {
  const f = filterOf(state);
  return [
    f.eventType ? `type ${f.eventType}` : null,
    f.verdict !== "all" ? f.verdict : null,
    f.query ? `search "${safeLine(f.query)}"` : null,
  ].filter((t): t is string => t !== null);
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
  return (
    <Box flexDirection="column" flexShrink={0}>
      <StatusLine state={state} now={now} columns={columns} />
      <Text wrap="truncate-end" dimColor>
        <Text bold>{where}</Text>
        {filters.length > 0 ? ` · ${filters.join(" · ")}` : ""} ·{" "}
        {details ? DETAILS_KEYS : LIST_KEYS}
      </Text>
    </Box>
  );
}
