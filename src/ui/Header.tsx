import { Box, Text } from "ink";
import type { Counters } from "../core/exchanges/request-log.js";
import { safeLine } from "../terminal/safe-text.js";
import { NARROW_COLUMNS } from "./layout.js";

export interface HeaderProps {
  url: string;
  secret: string | undefined;
  forwardTo: string | undefined;
  /** The forward target did not answer its last probe. */
  appDown: boolean;
  counters: Counters;
  /** Show only the number of requests (a recording: verdicts are not counted up front). */
  receivedOnly?: boolean;
  /** With `receivedOnly`: the count as the source words it (e.g. matches of --where). */
  countText?: string;
  columns: number;
  title?: string;
}

/** The box at the top: where requests go, where they are forwarded, and the counters. */
export function Header({
  url,
  secret,
  forwardTo,
  appDown,
  counters: c,
  receivedOnly,
  countText,
  columns,
  title,
}: HeaderProps) {
  return (
    <Box borderStyle="round" paddingX={1} flexDirection="column" width={columns} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text bold>{title ?? "ticket-hooks listen"}</Text> {safeLine(url)}
        {forwardTo ? ` → ${safeLine(forwardTo)}` : ""}
        {appDown ? (
          <Text color="red" bold>
            {" "}
            · app down
          </Text>
        ) : null}
      </Text>
      {receivedOnly ? (
        <Text wrap="truncate-end">
          {secret ? `secret ${secret}` : "no secret: replays are not signed"} ·{" "}
          {countText ?? `${c.received} request(s) recorded`}
        </Text>
      ) : columns <= NARROW_COLUMNS ? (
        // Narrow: the counters first, in short, then the secret (cut first).
        <Text wrap="truncate-end">
          recv {c.received} · <Text color="green">ok {c.valid}</Text> ·{" "}
          <Text color="red">bad {c.invalid}</Text> · rej {c.rejected} · fwd {c.forwarded} ·{" "}
          {secret ? `secret ${secret}` : "NOT checked"}
        </Text>
      ) : (
        <Text wrap="truncate-end">
          {secret ? `secret ${secret}` : "no secret: signatures are NOT checked"} · received{" "}
          {c.received} · <Text color="green">valid {c.valid}</Text> ·{" "}
          <Text color="red">invalid {c.invalid}</Text> · rejected {c.rejected} · forwarded{" "}
          {c.forwarded}
        </Text>
      )}
    </Box>
  );
}
