import { Box, Text } from "ink";
import type { DetailLine, LineStyle } from "./details-lines.js";
import { type TokenKind, tokenizeJsonLine } from "./json-tokens.js";

const COLORS: Record<TokenKind, string | undefined> = {
  key: "cyan",
  string: "green",
  number: "yellow",
  literal: "magenta",
  punct: undefined,
};

const STYLE: Record<LineStyle, { color?: string; bold?: boolean; dim?: boolean }> = {
  title: { bold: true },
  section: { bold: true },
  ok: { color: "green" },
  error: { color: "red" },
  warning: { color: "yellow" },
  dim: { dim: true },
  json: {},
  plain: {},
};

function Line({ line }: { line: DetailLine }) {
  if (line.style === "json") {
    return (
      <Text wrap="truncate-end">
        {tokenizeJsonLine(line.text).map((t, j) => {
          const color = COLORS[t.kind];
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: tokens of one line never reorder
            <Text key={j} {...(color ? { color } : {})}>
              {t.text}
            </Text>
          );
        })}
      </Text>
    );
  }
  const s = STYLE[line.style];
  return (
    <Text
      wrap="truncate-end"
      {...(s.color ? { color: s.color } : {})}
      bold={s.bold === true}
      dimColor={s.dim === true}
    >
      {line.text || " "}
    </Text>
  );
}

/** A window of the details lines; the footer says which lines are shown. */
export function DetailsView({
  lines,
  offset,
  height,
}: {
  lines: DetailLine[];
  offset: number;
  height: number;
}) {
  const shown = lines.slice(offset, offset + height);
  return (
    <Box flexDirection="column" height={height} flexShrink={0}>
      {shown.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of one exchange never reorder
        <Line key={offset + i} line={line} />
      ))}
    </Box>
  );
}
