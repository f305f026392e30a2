import { Box, Text, useApp, useInput, useStdout } from "ink";
import { useEffect, useRef, useState } from "react";
import { EVENTS } from "../core/events/catalogue.js";
import { tryParseJson } from "../core/json.js";
import type { Exchange, ForwardResult } from "../core/receiving/exchange.js";
import type { RequestLog } from "../core/receiving/request-log.js";
import { safeLine } from "../terminal/safe-text.js";
import { statusTone } from "../terminal/status-tone.js";
import { type TokenKind, tokenizeJsonLine } from "./json-tokens.js";

export interface ListenAppProps {
  log: RequestLog;
  url: string;
  /** Already masked. */
  secret: string | undefined;
  forwardTo: string | undefined;
  onReplay: (exchange: Exchange) => Promise<ForwardResult>;
  onQuit: () => void;
  /** Rows of the list. */
  rows?: number;
}

const FILTERS: ReadonlyArray<string | null> = [null, ...EVENTS.map((e) => e.type)];
const COLORS: Record<TokenKind, string> = {
  key: "cyan",
  string: "green",
  number: "yellow",
  literal: "magenta",
  punct: "",
};

/** Re-renders when the log changes (at most every 50 ms under load); the log lives outside React. */
function useLog(log: RequestLog): readonly Exchange[] {
  const [, setVersion] = useState(0);
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const unsubscribe = log.subscribe(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        setVersion((v) => v + 1);
      }, 50);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [log]);
  return log.entries;
}

function Mark({ ok, skipped }: { ok: boolean; skipped?: boolean }) {
  if (skipped) return <Text dimColor>-</Text>;
  return ok ? <Text color="green">✓</Text> : <Text color="red">✗</Text>;
}

function Row({ ex, selected }: { ex: Exchange; selected: boolean }) {
  const v = ex.verdict;
  return (
    <Box>
      <Text inverse={selected}>{selected ? "›" : " "} </Text>
      <Text dimColor>{ex.receivedAt.toTimeString().slice(0, 8)} </Text>
      <Mark ok={v.signature.status === "valid"} skipped={v.signature.status === "skipped"} />
      <Text> </Text>
      <Mark ok={v.validation?.valid === true} />
      <Text>
        {" "}
        {safeLine(v.eventType ?? (ex.aborted ? "(disconnected)" : (v.error ?? "-")))
          .padEnd(28)
          .slice(0, 40)}{" "}
      </Text>
      <Text>
        {safeLine(v.title ?? "")
          .slice(0, 24)
          .padEnd(24)}{" "}
      </Text>
      <Text dimColor>{safeLine(v.eventId ?? "").padEnd(22)} </Text>
      <Text color={statusTone(ex.status)}>{ex.status ?? "---"}</Text>
      {ex.forward ? (
        <Text color={statusTone(ex.forward.status)}> → {ex.forward.status ?? "failed"}</Text>
      ) : null}
    </Box>
  );
}

function Details({ ex, offset, height }: { ex: Exchange; offset: number; height: number }) {
  const v = ex.verdict;
  const body = ex.request.body.toString("utf8");
  const parsed = v.event === undefined ? tryParseJson(body) : { ok: true as const, value: v.event };
  const pretty = parsed.ok ? JSON.stringify(parsed.value, null, 2) : body;
  const all = pretty.split("\n");
  const start = Math.max(0, Math.min(offset, all.length - height));
  const shown = all.slice(start, start + height);
  return (
    <Box flexDirection="column">
      <Text bold>
        {safeLine(ex.request.method)} {safeLine(ex.request.url)} → {ex.status ?? "no answer"}{" "}
        {v.error ? `(${safeLine(v.error)})` : ""}
      </Text>
      <Text>
        Signature: {v.signature.status}
        {v.signature.header ? ` in ${safeLine(v.signature.header)}` : ""}
        {v.signature.reason ? ` — ${safeLine(v.signature.reason)}` : ""}
      </Text>
      {v.validation ? (
        <Text color={v.validation.valid ? "green" : "red"}>
          Schema: {v.validation.valid ? "valid" : `${v.validation.errors.length} error(s)`}
        </Text>
      ) : null}
      {(v.validation?.errors ?? []).map((e) => (
        <Text key={`${e.rule}:${e.path}`} color="red">
          {"  "}
          {safeLine(`${e.path}: ${e.message} (expected ${e.expected}, got ${e.actual})`)}
        </Text>
      ))}
      {(v.validation?.warnings ?? []).map((w) => (
        <Text key={w.path} color="yellow">
          {"  "}
          {safeLine(w.message)}
        </Text>
      ))}
      <Text bold>Headers</Text>
      {Object.entries(ex.request.headers).map(([k, h]) => (
        <Text key={k}>
          {"  "}
          <Text dimColor>{safeLine(k)}:</Text>{" "}
          {safeLine(Array.isArray(h) ? h.join(", ") : (h ?? ""))}
        </Text>
      ))}
      <Text bold>
        Body{" "}
        {all.length > height
          ? `(lines ${start + 1}–${start + shown.length} of ${all.length}, ↑/↓ to scroll)`
          : ""}
      </Text>
      {shown.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of one body never reorder
        <Text key={i}>
          {parsed.ok
            ? tokenizeJsonLine(safeLine(line)).map((t, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: tokens of one line never reorder
                <Text key={j} color={COLORS[t.kind]}>
                  {t.text}
                </Text>
              ))
            : safeLine(line)}
        </Text>
      ))}
      <Text dimColor>Enter or Esc: back · r: replay to the app · q: quit</Text>
    </Box>
  );
}

/** The live terminal UI of `listen`: a header with counters, the request list, and details. */
export function ListenApp(props: ListenAppProps) {
  const { log, rows = 15 } = props;
  const entries = useLog(log);
  const { exit } = useApp();
  const [filterIndex, setFilterIndex] = useState(0);
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const [details, setDetails] = useState(false);
  const [offset, setOffset] = useState(0);
  const { stdout } = useStdout();
  const bodyHeight = Math.max(5, (stdout.rows ?? 40) - 18);
  const [message, setMessage] = useState<string | null>(null);
  const filter = FILTERS[filterIndex] ?? null;
  const visible = filter ? entries.filter((e) => e.verdict.eventType === filter) : entries;
  const index =
    selectedSeq === null ? visible.length - 1 : visible.findIndex((e) => e.seq === selectedSeq);
  const selected = visible[index] ?? visible.at(-1);
  // Keys are handled with the state of the latest render, even right after a frame is drawn.
  const latest = useRef({ visible, index, selected, details });
  latest.current = { visible, index, selected, details };

  useInput((input, key) => {
    const { visible, index, selected } = latest.current;
    if (input === "q" || (key.ctrl && input === "c")) {
      props.onQuit();
      exit();
      return;
    }
    if (key.return || key.escape) {
      setDetails((d) => (key.escape ? false : !d));
      setOffset(0);
      return;
    }
    if (latest.current.details && (key.upArrow || key.downArrow)) {
      setOffset((o) => Math.max(0, o + (key.upArrow ? -1 : 1)));
      return;
    }
    if (key.upArrow && visible.length > 0) {
      setSelectedSeq(visible[Math.max(0, index - 1)]?.seq ?? null);
    } else if (key.downArrow && visible.length > 0) {
      const next = index + 1;
      setSelectedSeq(next >= visible.length - 1 ? null : (visible[next]?.seq ?? null));
    } else if (input === "f") {
      setFilterIndex((i) => (i + 1) % FILTERS.length);
      setSelectedSeq(null);
    } else if (input === "r") {
      if (!selected) return;
      if (!props.forwardTo) {
        setMessage("r replays to the app: start listen with --forward-to URL");
        return;
      }
      setMessage(`replaying #${selected.seq} to ${props.forwardTo}…`);
      void props
        .onReplay(selected)
        .then((r) =>
          setMessage(
            r.status === null
              ? `replay of #${selected.seq} failed: ${r.error}`
              : `replayed #${selected.seq}: app answered ${r.status} in ${r.duration_ms}ms`,
          ),
        );
    }
  });

  const c = log.counters;
  const start = Math.max(0, Math.min(index - Math.floor(rows / 2), visible.length - rows));
  const windowed = visible.slice(start, start + rows);
  return (
    <Box flexDirection="column">
      <Box borderStyle="round" paddingX={1} flexDirection="column">
        <Text>
          <Text bold>ticket-hooks listen</Text> {props.url}
          {props.forwardTo ? ` → ${props.forwardTo}` : ""}
        </Text>
        <Text>
          {props.secret ? `secret ${props.secret}` : "no secret: signatures are NOT checked"}
          {" · "}received {c.received} · <Text color="green">valid {c.valid}</Text> ·{" "}
          <Text color="red">invalid {c.invalid}</Text> · rejected {c.rejected} · forwarded{" "}
          {c.forwarded}
        </Text>
      </Box>
      {details && selected ? (
        <Details ex={selected} offset={offset} height={bodyHeight} />
      ) : visible.length === 0 ? (
        <Text dimColor>
          Waiting for events… (send one: ticket-hooks send created --to {props.url})
        </Text>
      ) : (
        windowed.map((ex) => <Row key={ex.seq} ex={ex} selected={ex === selected} />)
      )}
      {message ? <Text color="cyan">{safeLine(message)}</Text> : null}
      <Text dimColor>
        filter: {filter ?? "all"} · ↑/↓ select · Enter details · r replay · f filter · q quit
      </Text>
    </Box>
  );
}
