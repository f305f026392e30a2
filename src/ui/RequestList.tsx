import { Box, Text } from "ink";
import type { Exchange, ForwardResult } from "../core/exchanges/exchange.js";
import { safeLine } from "../terminal/safe-text.js";
import { statusTone } from "../terminal/status-tone.js";
import { type Column, type ColumnKey, listColumns, MARKER_WIDTH } from "./layout.js";

type Mark = { text: string; color?: string; dim?: boolean };

const OK: Mark = { text: "✓", color: "green" };
const BAD: Mark = { text: "✗", color: "red" };
/** A check that never ran (the request was turned away before it). */
const NOT_RUN: Mark = { text: "–", dim: true };

export function signatureMark(ex: Exchange): Mark {
  const s = ex.verdict.signature;
  if (s.status === "valid") return OK;
  if (s.status === "invalid") return BAD;
  // "missing" with a reason was checked and absent; without one the check never ran.
  if (s.status === "missing" && s.reason !== null) return BAD;
  return NOT_RUN;
}

export function schemaMark(ex: Exchange): Mark {
  const v = ex.verdict.validation;
  if (v === null) return NOT_RUN;
  return v.valid ? OK : BAD;
}

const PREFIX = "whitelabel-ticket-";

/** A request cut short: answered 400 (malformed), 408 (timed out), or not at all. */
const abortedMark = (status: number | null): string =>
  status === 400 ? "(malformed)" : status === 408 ? "(timed out)" : "(disconnected)";

/** A row sent as a copy of another: `↻3 ` (a replay of #3) or `✎3 ` (an edit of it). */
function copyMark(ex: Exchange): string {
  if (ex.editedFrom === undefined) return "";
  return `${ex.replayed ? "↻" : "✎"}${ex.editedFrom} `;
}

function cell(ex: Exchange, key: ColumnKey, narrow: boolean): Mark {
  const v = ex.verdict;
  switch (key) {
    case "time":
      return { text: ex.receivedAt.toTimeString().slice(0, 8), dim: true };
    case "sig":
      return signatureMark(ex);
    case "schema":
      return schemaMark(ex);
    case "type": {
      const type = v.eventType ?? (ex.aborted ? abortedMark(ex.status) : (v.error ?? "-"));
      const shown = safeLine(narrow && type.startsWith(PREFIX) ? type.slice(PREFIX.length) : type);
      return {
        text: `${copyMark(ex)}${shown}`,
      };
    }
    case "title":
      return { text: safeLine(v.title ?? "") };
    case "id":
      return { text: safeLine(v.eventId ?? ""), dim: true };
    case "status":
      return { text: String(ex.status ?? "---") };
  }
}

function StatusCell({
  ex,
  width,
  replay,
}: {
  ex: Exchange;
  width: number;
  replay: ForwardResult | undefined;
}) {
  return (
    <Box width={width} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text color={statusTone(ex.status)}>{ex.status ?? "---"}</Text>
        {/* The app's latest answer: to a replay (r) of this row, else to its forward. */}
        {replay ? (
          <Text color={statusTone(replay.status)}> ↻ {replay.status ?? "failed"}</Text>
        ) : ex.forward ? (
          <Text color={statusTone(ex.forward.status)}> → {ex.forward.status ?? "failed"}</Text>
        ) : null}
      </Text>
    </Box>
  );
}

export function Row({
  ex,
  selected,
  columns,
  width,
  replay,
}: {
  ex: Exchange;
  selected: boolean;
  columns: Column[];
  /** The terminal's width: a row narrower than its columns is cut there, never wrapped. */
  width: number;
  replay?: ForwardResult | undefined;
}) {
  // Short event type names when the type column is narrow.
  const narrow = (columns.find((c) => c.key === "type")?.width ?? 0) < 20;
  const v = ex.verdict;
  return (
    <Box flexShrink={0} height={1} width={width} overflow="hidden">
      <Box width={MARKER_WIDTH} flexShrink={0}>
        <Text inverse={selected}>{selected ? "›" : " "}</Text>
      </Box>
      {columns.map((c, i) => {
        if (c.key === "status") {
          return <StatusCell key={c.key} ex={ex} width={c.width} replay={replay} />;
        }
        // A row without a title (a rejection, its reason in the event column): the event column
        // takes the title's width too.
        const titled = v.title !== null && v.title !== "";
        if (c.key === "title" && !titled && columns[i - 1]?.key === "type") return null;
        const next = columns[i + 1];
        const width =
          c.key === "type" && !titled && next?.key === "title" ? c.width + next.width : c.width;
        const m = cell(ex, c.key, narrow);
        return (
          <Box key={c.key} width={width} paddingRight={1} flexShrink={0}>
            <Text
              wrap="truncate-end"
              {...(m.color ? { color: m.color } : {})}
              dimColor={m.dim === true}
            >
              {m.text}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}

export function ColumnNames({ columns, width }: { columns: Column[]; width: number }) {
  return (
    <Box flexShrink={0} height={1} width={width} overflow="hidden">
      <Box width={MARKER_WIDTH} flexShrink={0} />
      {columns.map((c) => (
        <Box key={c.key} width={c.width} paddingRight={1} flexShrink={0}>
          <Text bold dimColor wrap="truncate-end">
            {c.label}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

export interface RequestListProps {
  visible: readonly Exchange[];
  index: number;
  height: number;
  width: number;
  waiting: string;
  /** The app's answer to each replayed row, by seq. */
  replays?: ReadonlyMap<number, ForwardResult>;
}

/** The column names and the window of rows around the selection. */
export function RequestList({ visible, index, height, width, waiting, replays }: RequestListProps) {
  const columns = listColumns(width);
  const start = Math.max(0, Math.min(index - Math.floor(height / 2), visible.length - height));
  const shown = visible.slice(start, start + height);
  return (
    <Box flexDirection="column" height={height + 1} flexShrink={0}>
      <ColumnNames columns={columns} width={width} />
      {visible.length === 0 ? (
        // Wrapped, not cut: the hint is a command to paste.
        <Text dimColor wrap="wrap">
          {waiting}
        </Text>
      ) : (
        shown.map((ex, i) => (
          <Row
            key={ex.seq}
            ex={ex}
            selected={start + i === index}
            columns={columns}
            width={width}
            replay={replays?.get(ex.seq)}
          />
        ))
      )}
    </Box>
  );
}
