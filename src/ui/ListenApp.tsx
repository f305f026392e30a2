import { Box, type Key, Text, useApp, useInput, useStdout } from "ink";
import { useEffect, useReducer, useRef, useSyncExternalStore } from "react";
import { wrapToColumns } from "../core/columns.js";
import type { Exchange, ForwardResult } from "../core/exchanges/exchange.js";
import type { FilteredView } from "../core/exchanges/exchange-query.js";
import type { ExchangeSource } from "../core/exchanges/request-log.js";
import { safeLine } from "../terminal/safe-text.js";
import { INITIAL_UI, type UiAction, uiReducer } from "./app-state.js";
import { DetailsView } from "./DetailsView.js";
import { type DetailLine, detailsLines } from "./details-lines.js";
import { Footer } from "./Footer.js";
import { Header } from "./Header.js";
import { useLog, useTerminalSize } from "./hooks.js";
import { detailsHeight, KEY_LIST, listHeight } from "./layout.js";
import { RequestList } from "./RequestList.js";
import {
  type Effect,
  type ExportFormat,
  filterTexts,
  isFiltered,
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

/**
 * Details lines of the exchange last shown, computed once per exchange and width (bodies can be
 * large). Lines of words (a verdict's reason, a header) wrap at the width; the body's JSON lines
 * are cut, their indentation being their structure.
 */
function useDetailsCache(replays: ReadonlyMap<number, ForwardResult>, columns: number) {
  const cache = useRef<
    | { ex: Exchange; replay: ForwardResult | undefined; columns: number; lines: DetailLine[] }
    | undefined
  >(undefined);
  return (ex: Exchange): DetailLine[] => {
    const replay = replays.get(ex.seq);
    const c = cache.current;
    if (c && c.ex === ex && c.replay === replay && c.columns === columns) return c.lines;
    const lines = detailsLines(ex, replay).flatMap((line) =>
      line.style === "json"
        ? [line]
        : wrapToColumns(line.text, columns - 1).map((text) => ({ ...line, text })),
    );
    cache.current = { ex, replay, columns, lines };
    return lines;
  };
}

const NO_TARGET = () => () => {};

/** Whether the forward target is down, following its health. */
function useTargetDown(target: TargetWatch | undefined): boolean {
  return useSyncExternalStore(target?.subscribe ?? NO_TARGET, () => target?.isDown() === true);
}

type Say = (text: string, tone?: "info" | "error") => void;

/** What running a key's effect needs from the component. */
interface EffectRun {
  props: ListenAppProps;
  dispatch: (action: UiAction) => void;
  say: Say;
  /** Writes above the live area (where it stays, and can be copied). */
  writeAbove: (text: string) => void;
  exit: () => void;
  /** Resolves once the UI has stopped reading the terminal (after `editing` is on screen). */
  inputReleased: () => Promise<void>;
}

function runReplay(ex: Exchange, { props, dispatch, say }: EffectRun): void {
  say(`replaying #${ex.seq} to ${safeLine(props.forwardTo ?? "")}…`);
  void props.onReplay(ex).then((r) => {
    dispatch({ type: "replayed", seq: ex.seq, result: r });
    if (r.status === null) {
      say(`replay of #${ex.seq} failed: ${safeLine(r.error ?? "")}`, "error");
      return;
    }
    const first = r.status >= 400 && r.body ? `: ${safeLine(r.body.slice(0, 200))}` : "";
    say(
      `replayed #${ex.seq}: app answered ${r.status} in ${r.duration_ms}ms${first}`,
      r.status >= 400 ? "error" : "info",
    );
  });
}

function runCurl(ex: Exchange, { props, say, writeAbove }: EffectRun): void {
  if (!props.curlFor) return;
  const command = props.curlFor(ex);
  // Above the live area, as one line the terminal wraps: copied from the screen, it runs.
  writeAbove(`${safeLine(command)}\n`);
  props.onCopy?.(command);
  const signed =
    props.curlSigned?.(ex) !== false
      ? "signed now"
      : ex.verdict.signature.header
        ? "with its recorded signature (no secret to sign it afresh)"
        : "unsigned (no secret to sign it)";
  const note = props.curlNote ? ` (${props.curlNote})` : "";
  say(
    `curl command for #${ex.seq} ${signed}: printed above the list, copied where the terminal allows${note}`,
  );
}

function runExport(ex: Exchange, format: ExportFormat, { props, say }: EffectRun): void {
  if (!props.onExport) {
    say("export is not available here", "error");
    return;
  }
  props.onExport(ex, format).then(
    (file) => say(`#${ex.seq} written to ${safeLine(file)}`),
    (error: Error) => say(safeLine(error.message), "error"),
  );
}

/** What to say once an edited event was sent: the app's answer, and whether it was valid. */
function editOutcome(ex: Exchange, sent: Exchange): { text: string; invalid: boolean } {
  const answer =
    sent.forward?.status === null
      ? `the app did not answer (${safeLine(sent.forward.error ?? "")})`
      : `app answered ${sent.status}`;
  const validation = sent.verdict.validation;
  // Saved unchanged, the original bytes went: a replay, as the new row says (↻).
  const what = sent.replayed ? `sent #${ex.seq} unchanged` : `sent edited #${ex.seq}`;
  if (!validation || validation.valid) {
    return { text: `${what} as #${sent.seq}: ${answer}`, invalid: false };
  }
  const first = validation.errors[0];
  const more = validation.errors.length > 1 ? ` (and ${validation.errors.length - 1} more)` : "";
  const why = first ? safeLine(`${first.path}: ${first.message}`) : "invalid";
  return {
    text: `${what} as #${sent.seq}: ${answer}; it does not match its schema: ${why}${more}`,
    invalid: true,
  };
}

function runEdit(ex: Exchange, run: EffectRun): void {
  const { props, dispatch, say } = run;
  if (!props.onEdit) {
    say("e is not available here", "error");
    return;
  }
  const onEdit = props.onEdit;
  dispatch({ type: "editing", on: true });
  // The editor starts once the UI no longer reads the terminal: what the terminal sends the
  // editor (vim's answers, its keys) must not reach the UI.
  void run
    .inputReleased()
    .then(() => onEdit(ex))
    .then(
      (sent) => {
        dispatch({ type: "editing", on: false });
        dispatch({
          type: "view",
          change: (s) => ({ ...s, selectedSeq: sent.seq, details: false }),
        });
        const outcome = editOutcome(ex, sent);
        say(outcome.text, outcome.invalid ? "error" : "info");
      },
      (error: Error & { hint?: string }) => {
        dispatch({ type: "editing", on: false });
        say(safeLine(error.hint ? `${error.message}: ${error.hint}` : error.message), "error");
      },
    );
}

function runEffect(effect: Effect, run: EffectRun): void {
  switch (effect.type) {
    case "quit":
      run.props.onQuit();
      run.exit();
      return;
    case "replay":
      runReplay(effect.exchange, run);
      return;
    case "curl":
      runCurl(effect.exchange, run);
      return;
    case "export":
      runExport(effect.exchange, effect.format, run);
      return;
    case "edit":
      runEdit(effect.exchange, run);
      return;
  }
}

/** What the footer says of work in the background: reading the file, or searching it. */
function progressText(log: ExchangeSource, view: FilteredView, filtering: boolean): string | null {
  if (log.failure) return `stopped: ${safeLine(log.failure)}`;
  const loading = log.loading ?? null;
  if (loading !== null && !filtering) {
    return `${log.loadingLabel ?? "reading"} ${Math.floor((view.progress ?? loading) * 100)}%`;
  }
  if (view.progress === null) return null;
  return `${filtering ? "searching" : "filtering"} ${Math.floor(view.progress * 100)}%`;
}

/** What the list says when it shows no row. */
function emptyListText(
  log: ExchangeSource,
  url: string,
  signed: boolean,
  empty: boolean,
  progress: string | null,
  state: ViewState,
): string {
  if (empty) {
    // A command that works when pasted: signed with the secret from the environment, never
    // with the secret itself on the screen.
    const secret = signed ? ' --secret "$TICKET_HOOKS_SECRET"' : "";
    return safeLine(
      log.emptyText?.() ??
        `Waiting for events… send one: ticket-hooks send created --to ${url}${secret}`,
    );
  }
  if (progress) return `No match yet (${progress})`;
  const limits = filterTexts(state, "verdict ");
  return `No request matches ${limits.join(" · ")}: Esc clears ${limits.length > 1 ? "them all" : "it"} (F, V: the type or verdict alone)`;
}

/** `?`: every key, one per line. */
function KeyList({ height }: { height: number }) {
  return (
    <Box flexDirection="column" height={height + 1} flexShrink={0} paddingX={1} overflow="hidden">
      <Text bold>Keys (any key closes this)</Text>
      {KEY_LIST.map(([keys, what]) => (
        <Text key={keys} wrap="wrap">
          <Text bold>{keys.padEnd(22)}</Text>
          {what}
        </Text>
      ))}
    </Box>
  );
}

/** The effects keys asked for, run once each after the render that queued them. */
function useEffectQueue(effects: readonly Effect[], run: EffectRun): void {
  // With this render's props: a new `run` each render is fine, a queue already run is empty.
  useEffect(() => {
    if (effects.length === 0) return;
    run.dispatch({ type: "taken", effects });
    for (const effect of effects) runEffect(effect, run);
  });
}

/** A status message disappears when it expires. */
function useMessageExpiry(
  message: ViewState["message"],
  now: () => number,
  dispatch: (action: UiAction) => void,
): void {
  useEffect(() => {
    if (!message) return;
    const expire = () =>
      dispatch({
        type: "view",
        change: (s) => (s.message === message ? { ...s, message: null } : s),
      });
    const timer = setTimeout(expire, Math.max(0, message.until - now()) + 1);
    return () => clearTimeout(timer);
  }, [message, now, dispatch]);
}

interface ScreenProps {
  props: ListenAppProps;
  state: ViewState;
  view: FilteredView;
  empty: boolean;
  appDown: boolean;
  details: DetailLine[] | null;
  columns: number;
  rows: number;
  now: number;
  replays: ReadonlyMap<number, ForwardResult>;
}

/** One frame: the header, the list or the selected row's details, and the footer. */
function Screen({
  props,
  state,
  view,
  empty,
  appDown,
  details,
  columns,
  rows,
  now,
  replays,
}: ScreenProps) {
  const { log } = props;
  const listRows = listHeight(rows);
  const detailRows = detailsHeight(rows);
  const index = selectedIndex(state, view);
  const progress = progressText(log, view, isFiltered(state));
  const offset = details
    ? Math.min(state.detailsOffset, Math.max(0, details.length - detailRows))
    : 0;
  return (
    <Box flexDirection="column" width={columns}>
      <Header
        url={props.url}
        secret={props.secret}
        forwardTo={props.forwardTo}
        appDown={appDown}
        counters={log.counters}
        receivedOnly={log.countsReceivedOnly === true}
        {...(log.countText ? { countText: log.countText() } : {})}
        columns={columns}
        {...(props.title ? { title: props.title } : {})}
      />
      {state.help ? (
        <KeyList height={listRows} />
      ) : details ? (
        <DetailsView lines={details} offset={offset} height={detailRows} />
      ) : (
        <RequestList
          replays={replays}
          visible={view.entries}
          index={index}
          height={listRows}
          width={columns}
          waiting={emptyListText(
            log,
            props.url,
            props.secret !== undefined,
            empty,
            progress,
            state,
          )}
        />
      )}
      <Footer
        state={state}
        now={now}
        position={index + 1}
        total={view.entries.length}
        progress={progress}
        details={details ? { offset, height: detailRows, length: details.length } : null}
        columns={columns}
      />
    </Box>
  );
}

/** The live terminal UI of `listen`: a header with counters, the request list, and details. */
/** Frames a second the UI is drawn at most (ink's throttle, set by run.ts). */
export const UI_MAX_FPS = 30;
const FRAME_MS = Math.ceil(1000 / UI_MAX_FPS);

export function ListenApp(props: ListenAppProps) {
  const { log } = props;
  // A source read in the background (a recording) changes all the time: 5 frames a second do.
  const entries = useLog(log, log.view ? 200 : 50);
  const { exit } = useApp();
  const { write: writeAbove } = useStdout();
  const { columns, rows } = useTerminalSize();
  const now = props.now ?? Date.now;
  const messageMs = props.messageMs ?? 5000;
  const [ui, dispatch] = useReducer(uiReducer, INITIAL_UI);
  const linesOf = useDetailsCache(ui.replays, columns);
  const appDown = useTargetDown(props.target);

  // Keys are judged against the rows of the moment they were pressed: React may run the reducer
  // later, when more rows have come. A copy of the live log's rows (a thousand at most); a source
  // with views of its own (a recording) answers for its view.
  const context = (): KeyContext => ({
    entries: log.view ? log.entries : log.entries.slice(),
    listHeight: listHeight(rows),
    detailsHeight: detailsHeight(rows),
    detailsLength: (ex) => linesOf(ex).length,
    now: now(),
    messageMs,
    cannotForward: props.forwardTo
      ? null
      : (props.cannotSend ?? "r and e send to your app: start listen with --forward-to URL"),
    ...(log.view ? { view: log.view.bind(log) } : {}),
    replays: ui.replays,
  });
  const say: Say = (text, tone = "info") =>
    dispatch({
      type: "view",
      change: (s) => withMessage(s, text, { now: now(), messageMs }, tone),
    });
  const released = useRef<Array<() => void>>([]);
  const inputReleased = () => new Promise<void>((resolve) => released.current.push(resolve));
  useEffectQueue(ui.effects, { props, dispatch, say, writeAbove, exit, inputReleased });
  useInput(
    (input, key) => dispatch({ type: "keys", presses: keyPresses(input, key), ctx: context() }),
    { isActive: !ui.editing },
  );
  // After useInput's own effect: by now it has stopped reading the terminal. Its empty frame is
  // written up to a frame later (ink throttles its writes to UI_MAX_FPS), and on a full screen
  // that write clears the terminal: the editor starts once it is out, not under it.
  useEffect(() => {
    if (!ui.editing) return;
    const timer = setTimeout(() => {
      for (const resolve of released.current.splice(0)) resolve();
    }, 2 * FRAME_MS);
    return () => clearTimeout(timer);
  }, [ui.editing]);
  useMessageExpiry(ui.view.message, now, dispatch);

  if (ui.editing) return <Box />;
  const view = viewOf(ui.view, context());
  const selected = view.entries[selectedIndex(ui.view, view)];
  const details = ui.view.details && selected ? linesOf(selected) : null;
  return (
    <Screen
      props={props}
      state={ui.view}
      view={view}
      empty={entries.length === 0}
      appDown={appDown}
      details={details}
      columns={columns}
      rows={rows}
      now={now()}
      replays={ui.replays}
    />
  );
}
