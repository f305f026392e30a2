import { Box, type Key, useApp, useInput, useStdout } from "ink";
import { useEffect, useReducer, useRef } from "react";
import type { Exchange, ForwardResult } from "../core/exchanges/exchange.js";
import type { ExchangeSource } from "../core/exchanges/request-log.js";
import { safeLine } from "../terminal/safe-text.js";
import { DetailsView } from "./DetailsView.js";
import { type DetailLine, detailsLines } from "./details-lines.js";
import { Footer } from "./Footer.js";
import { Header } from "./Header.js";
import { useLog, useTerminalSize } from "./hooks.js";
import { detailsHeight, listHeight } from "./layout.js";
import { RequestList } from "./RequestList.js";
import {
  type Effect,
  type ExportFormat,
  handleKey,
  INITIAL_STATE,
  type KeyContext,
  type KeyPress,
  selectedIndex,
  type ViewState,
  viewOf,
  withMessage,
} from "./view-state.js";

export interface TargetWatch {
  isDown(): boolean;
  subscribe(listener: () => void): () => void;
}

export interface ListenAppProps {
  log: ExchangeSource;
  url: string;
  /** Already masked. */
  secret: string | undefined;
  forwardTo: string | undefined;
  onReplay: (exchange: Exchange) => Promise<ForwardResult>;
  /**
   * Opens the event in the user's editor and sends what was saved (`e`); resolves with the new
   * exchange. The UI steps aside (renders nothing, reads no keys) until it settles.
   */
  onEdit?: (exchange: Exchange) => Promise<Exchange>;
  /** The request as a ready-to-run curl command, signed now. */
  curlFor?: (exchange: Exchange) => string;
  /** Said after the curl message (e.g. that its URL is a placeholder). */
  curlNote?: string;
  /** False when there is no secret for it: the curl command carries the recorded signature. */
  curlSigned?: (exchange: Exchange) => boolean;
  /** Puts text on the clipboard (OSC 52) where the terminal supports it. */
  onCopy?: (text: string) => void;
  /** Writes the exchange as a JSON template (`x`) or a HAR log (`h`); resolves with the file. */
  onExport?: (exchange: Exchange, format: ExportFormat) => Promise<string>;
  /** Why `r` and `e` cannot send, when there is nowhere to send to. */
  cannotSend?: string;
  onQuit: () => void;
  /** The forward target's health: "app down" in the header while it does not answer. */
  target?: TargetWatch;
  /** How long a status message stays, in ms. Default 5000. */
  messageMs?: number;
  now?: () => number;
  /** Shown in the header instead of "ticket-hooks listen". */
  title?: string;
}

function keyName(key: Key): KeyPress["name"] {
  if (key.upArrow) return "up";
  if (key.downArrow) return "down";
  if (key.pageUp) return "pageUp";
  if (key.pageDown) return "pageDown";
  if (key.home) return "home";
  if (key.end) return "end";
  if (key.return) return "enter";
  if (key.escape) return "escape";
  if (key.backspace || key.delete) return "backspace";
  return "text";
}

/**
 * The keys in one input event. Ink hands over typed text that arrives in one read (fast typing,
 * tmux send-keys, a paste) as one string: each character is a key of its own.
 */
export function keyPresses(input: string, key: Key): KeyPress[] {
  const name = keyName(key);
  if (name !== "text" || key.ctrl || [...input].length <= 1) {
    return [{ name, text: input, ctrl: key.ctrl }];
  }
  return [...input].map((ch): KeyPress => {
    if (ch === "\r" || ch === "\n") return { name: "enter", text: "", ctrl: false };
    if (ch === "\u007f" || ch === "\b") return { name: "backspace", text: "", ctrl: false };
    return { name: "text", text: ch, ctrl: false };
  });
}

/** Details lines of the exchange last shown, computed once per exchange (bodies can be large). */
function useDetailsCache(replays: Map<number, ForwardResult>) {
  const cache = useRef<
    { ex: Exchange; replay: ForwardResult | undefined; lines: DetailLine[] } | undefined
  >(undefined);
  return (ex: Exchange): DetailLine[] => {
    const replay = replays.get(ex.seq);
    const c = cache.current;
    if (c && c.ex === ex && c.replay === replay) return c.lines;
    const lines = detailsLines(ex, replay);
    cache.current = { ex, replay, lines };
    return lines;
  };
}

/** The live terminal UI of `listen`: a header with counters, the request list, and details. */
export function ListenApp(props: ListenAppProps) {
  const { log } = props;
  // A source read in the background (a recording) changes all the time: 5 frames a second do.
  const entries = useLog(log, log.view ? 200 : 50);
  const { exit } = useApp();
  const { write: writeAbove } = useStdout();
  const { columns, rows } = useTerminalSize();
  const now = props.now ?? Date.now;
  const messageMs = props.messageMs ?? 5000;
  const state = useRef<ViewState>(INITIAL_STATE);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const replays = useRef(new Map<number, ForwardResult>()).current;
  const editing = useRef(false);
  const linesOf = useDetailsCache(replays);
  const sourceView = log.view?.bind(log);

  const listRows = listHeight(rows);
  const detailRows = detailsHeight(rows);

  const update = (change: (s: ViewState) => ViewState) => {
    state.current = change(state.current);
    rerender();
  };
  const context = (): KeyContext => ({
    entries: log.entries,
    listHeight: listRows,
    detailsHeight: detailRows,
    detailsLength: (ex) => linesOf(ex).length,
    now: now(),
    messageMs,
    cannotForward: props.forwardTo
      ? null
      : (props.cannotSend ?? "r and e send to your app: start listen with --forward-to URL"),
    ...(sourceView ? { view: sourceView } : {}),
  });
  const say = (text: string, tone: "info" | "error" = "info") =>
    update((s) => withMessage(s, text, { now: now(), messageMs }, tone));

  const run = (effect: Effect) => {
    switch (effect.type) {
      case "quit":
        props.onQuit();
        exit();
        return;
      case "replay": {
        const ex = effect.exchange;
        say(`replaying #${ex.seq} to ${safeLine(props.forwardTo ?? "")}…`);
        void props.onReplay(ex).then((r) => {
          replays.set(ex.seq, r);
          if (r.status === null)
            say(`replay of #${ex.seq} failed: ${safeLine(r.error ?? "")}`, "error");
          else {
            const first = r.status >= 400 && r.body ? `: ${safeLine(r.body.slice(0, 200))}` : "";
            say(
              `replayed #${ex.seq}: app answered ${r.status} in ${r.duration_ms}ms${first}`,
              r.status >= 400 ? "error" : "info",
            );
          }
        });
        return;
      }
      case "curl": {
        if (!props.curlFor) return;
        const command = props.curlFor(effect.exchange);
        // Above the live area, as one line the terminal wraps: copied from the screen, it runs.
        writeAbove(`${safeLine(command)}\n`);
        props.onCopy?.(command);
        const signed =
          props.curlSigned?.(effect.exchange) !== false
            ? "signed now"
            : effect.exchange.verdict.signature.header
              ? "with its recorded signature (no secret to sign it afresh)"
              : "unsigned (no secret to sign it)";
        say(
          `curl command for #${effect.exchange.seq} ${signed}: printed above the list, copied where the terminal allows${props.curlNote ? ` (${props.curlNote})` : ""}`,
        );
        return;
      }
      case "export": {
        const { exchange: ex, format } = effect;
        if (!props.onExport) {
          say("export is not available here", "error");
          return;
        }
        props.onExport(ex, format).then(
          (file) => say(`#${ex.seq} written to ${safeLine(file)}`),
          (error: Error) => say(safeLine(error.message), "error"),
        );
        return;
      }
      case "edit": {
        const ex = effect.exchange;
        if (!props.onEdit) {
          say("e is not available here", "error");
          return;
        }
        editing.current = true;
        rerender();
        void props.onEdit(ex).then(
          (sent) => {
            editing.current = false;
            const answer =
              sent.forward?.status === null
                ? `the app did not answer (${safeLine(sent.forward.error ?? "")})`
                : `app answered ${sent.status}`;
            const validation = sent.verdict.validation;
            const first = validation?.errors[0];
            const invalid =
              validation && !validation.valid
                ? `; it does not match its schema: ${first ? safeLine(`${first.path}: ${first.message}`) : "invalid"}${validation.errors.length > 1 ? ` (and ${validation.errors.length - 1} more)` : ""}`
                : "";
            update((s) => ({ ...s, selectedSeq: sent.seq, details: false }));
            say(
              `sent edited #${ex.seq} as #${sent.seq}: ${answer}${invalid}`,
              invalid ? "error" : "info",
            );
          },
          (error: Error & { hint?: string }) => {
            editing.current = false;
            say(safeLine(error.hint ? `${error.message}: ${error.hint}` : error.message), "error");
          },
        );
        return;
      }
    }
  };

  useInput(
    (input, key) => {
      for (const press of keyPresses(input, key)) {
        const result = handleKey(state.current, press, context());
        state.current = result.state;
        if (result.effect) run(result.effect);
      }
      rerender();
    },
    { isActive: !editing.current },
  );

  const target = props.target;
  useEffect(() => target?.subscribe(rerender), [target]);

  // A status message disappears when it expires.
  const message = state.current.message;
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(rerender, Math.max(0, message.until - now()) + 1);
    return () => clearTimeout(timer);
  }, [message, now]);

  if (editing.current) return <Box />;
  const s = state.current;
  const view = viewOf(s, context());
  const visible = view.entries;
  const index = selectedIndex(s, view);
  const loading = log.loading ?? null;
  const filtering = s.query !== "" || s.typeFilter !== 0 || s.verdictFilter !== 0;
  const progress = log.failure
    ? `stopped: ${safeLine(log.failure)}`
    : loading !== null && !filtering
      ? `${log.loadingLabel ?? "reading"} ${Math.floor((view.progress ?? loading) * 100)}%`
      : view.progress !== null
        ? `${filtering ? "searching" : "filtering"} ${Math.floor(view.progress * 100)}%`
        : null;
  const selected = visible[index];
  const details = s.details && selected ? linesOf(selected) : null;
  const offset = details ? Math.min(s.detailsOffset, Math.max(0, details.length - detailRows)) : 0;
  return (
    <Box flexDirection="column" width={columns}>
      <Header
        url={props.url}
        secret={props.secret}
        forwardTo={props.forwardTo}
        appDown={target?.isDown() === true}
        counters={log.counters}
        receivedOnly={log.countsReceivedOnly === true}
        {...(log.countText ? { countText: log.countText() } : {})}
        columns={columns}
        {...(props.title ? { title: props.title } : {})}
      />
      {details ? (
        <DetailsView lines={details} offset={offset} height={detailRows} />
      ) : (
        <RequestList
          visible={visible}
          index={index}
          height={listRows}
          width={columns}
          waiting={
            entries.length === 0
              ? safeLine(
                  log.emptyText?.() ??
                    `Waiting for events… (send one: ticket-hooks send created --to ${props.url})`,
                )
              : progress
                ? `No match yet (${progress})`
                : "No request matches the filter (f, v: change it · Esc: clear the search)"
          }
        />
      )}
      <Footer
        state={s}
        now={now()}
        position={index + 1}
        total={visible.length}
        progress={progress}
        details={details ? { offset, height: detailRows, length: details.length } : null}
        columns={columns}
      />
    </Box>
  );
}
