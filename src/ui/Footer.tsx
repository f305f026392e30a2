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
  const f = filterOf(state);
  const message = state.message && state.message.until > now ? state.message : null;
  const filters = [
    f.eventType ? `type ${f.eventType}` : null,
    f.verdict !== "all" ? f.verdict : null,
    f.query ? `search "${safeLine(f.query)}"` : null,
  ].filter(Boolean);
  const where = details
    ? `lines ${count(Math.min(details.length, details.offset + 1))}–${count(Math.min(details.length, details.offset + details.height))} of ${count(details.length)}`
    : `${count(total === 0 ? 0 : position)}/${count(total)}${progress ? ` (${progress})` : ""}`;
  const keys = details
    ? "↑↓ PgUp PgDn Home End scroll · Enter/Esc back · r replay · e edit · c curl · x json · h har · q quit"
    : "↑↓ PgUp PgDn Home End · Enter details · / search · f type · v verdict · r replay · e edit · c curl · x json · h har · q quit";
  return (
    <Box flexDirection="column" flexShrink={0}>
      {state.searching ? (
        <Text wrap="truncate-start">
          <Text color="cyan">/</Text>
          {safeLine(state.query)}
          <Text inverse> </Text>
          {columns > 60 ? <Text dimColor> Enter: keep · Esc: clear</Text> : null}
        </Text>
      ) : message ? (
        <Text wrap="truncate-end" color={message.tone === "error" ? "red" : "cyan"}>
          {message.text}
        </Text>
      ) : (
        <Text> </Text>
      )}
      <Text wrap="truncate-end" dimColor>
        <Text bold>{where}</Text>
        {filters.length > 0 ? ` · ${filters.join(" · ")}` : ""} · {keys}
      </Text>
    </Box>
  );
}
