import { EVENTS } from "../core/events/catalogue.js";
import type { Exchange, ForwardResult } from "../core/exchanges/exchange.js";
import {
  type ExchangeFilter,
  type FilteredView,
  filterExchanges,
  VERDICT_FILTERS,
} from "../core/exchanges/exchange-query.js";
import { safeLine } from "../terminal/safe-text.js";

/*
 * The live UI's state and what each key does to it: a pure function of (state, key, context), so
 * keys that arrive together each apply to the state the previous one left (not to the last frame).
 */

export const TYPE_FILTERS: ReadonlyArray<string | null> = [null, ...EVENTS.map((e) => e.type)];

export interface StatusMessage {
  text: string;
  tone: "info" | "error";
  /** Time (ms, the UI's clock) after which it is no longer shown. */
  until: number;
}

export interface ViewState {
  /** The selected exchange; null follows the newest. */
  selectedSeq: number | null;
  details: boolean;
  /** First line of the details shown. */
  detailsOffset: number;
  typeFilter: number;
  verdictFilter: number;
  query: string;
  /** `/` was pressed: keys type the search text until Enter or Esc. */
  searching: boolean;
  message: StatusMessage | null;
  /** A rejected request whose replay waits for a second `r`. */
  confirmReplay: number | null;
  /** `?`: the full list of keys is shown (any key closes it). */
  help: boolean;
}

export const INITIAL_STATE: ViewState = {
  selectedSeq: null,
  details: false,
  detailsOffset: 0,
  typeFilter: 0,
  verdictFilter: 0,
  query: "",
  searching: false,
  message: null,
  confirmReplay: null,
  help: false,
};

export type KeyName =
  | "up"
  | "down"
  | "pageUp"
  | "pageDown"
  | "home"
  | "end"
  | "enter"
  | "escape"
  | "backspace"
  | "text";

export interface KeyPress {
  name: KeyName;
  /** The typed text, for `text`. */
  text: string;
  ctrl: boolean;
}

export interface KeyContext {
  entries: readonly Exchange[];
  /** Rows of the list. */
  listHeight: number;
  /** Rows of the details. */
  detailsHeight: number;
  /** Lines of the details of an exchange. */
  detailsLength: (ex: Exchange) => number;
  now: number;
  messageMs: number;
  /** Why `r`, `e` cannot send (no forward target), or null when they can. */
  cannotForward: string | null;
  /** The source's own filtered views (a recording on disk); else `entries` are filtered here. */
  view?: (filter: ExchangeFilter) => FilteredView;
  /** The app's answer to each row replayed with `r`, by seq (the row's latest forward). */
  replays?: ReadonlyMap<number, ForwardResult>;
}

/** What `x` and `h` write: the event as a JSON template, or the request as a HAR log. */
export type ExportFormat = "json" | "har";

export type Effect =
  | { type: "quit" }
  | { type: "replay"; exchange: Exchange }
  | { type: "edit"; exchange: Exchange }
  | { type: "curl"; exchange: Exchange }
  | { type: "export"; exchange: Exchange; format: ExportFormat };

export interface KeyResult {
  state: ViewState;
  effect?: Effect;
}

export function filterOf(state: ViewState): ExchangeFilter {
  return {
    eventType: TYPE_FILTERS[state.typeFilter] ?? null,
    verdict: VERDICT_FILTERS[state.verdictFilter] ?? "all",
    query: state.query,
  };
}

/**
 * The filters in force, in words: `type whitelabel-ticket-created`, `rejected` (after
 * `verdictLabel`), `search "x"` (the search text made terminal-safe).
 */
export function filterTexts(state: ViewState, verdictLabel = ""): string[] {
  const f = filterOf(state);
  return [
    f.eventType ? `type ${f.eventType}` : null,
    f.verdict !== "all" ? `${verdictLabel}${f.verdict}` : null,
    f.query ? `search "${safeLine(f.query)}"` : null,
  ].filter((t): t is string => t !== null);
}

/** The exchanges the state's filter shows, from the source's view or by filtering `entries`. */
export function viewOf(
  state: ViewState,
  ctx: Pick<KeyContext, "entries" | "view" | "replays">,
): FilteredView {
  const filter = filterOf(state);
  if (ctx.view) return ctx.view(filter);
  let entries = filterExchanges(ctx.entries, filter);
  // A failed forward that a replay then delivered is no longer a failed one.
  const replays = ctx.replays;
  if (filter.verdict === "forward failed" && replays && replays.size > 0) {
    entries = entries.filter((ex) => !delivered(replays.get(ex.seq)));
  }
  return {
    entries,
    progress: null,
    indexOfSeq: (seq) => {
      // Numbered by position (an unfiltered list from 1): no scan of a long list.
      if (entries[seq - 1]?.seq === seq) return seq - 1;
      return entries.findIndex((e) => e.seq === seq);
    },
  };
}

const delivered = (r: ForwardResult | undefined): boolean =>
  r !== undefined && r.status !== null && r.status >= 200 && r.status < 300;

/** Index of the selection in the visible list (the newest when following or gone); -1 if empty. */
export function selectedIndex(state: ViewState, view: FilteredView): number {
  const last = view.entries.length - 1;
  if (state.selectedSeq === null) return last;
  const index = view.indexOfSeq(state.selectedSeq);
  return index === -1 ? last : index;
}

export function withMessage(
  state: ViewState,
  text: string,
  ctx: Pick<KeyContext, "now" | "messageMs">,
  tone: StatusMessage["tone"] = "info",
): ViewState {
  return { ...state, message: { text, tone, until: ctx.now + ctx.messageMs } };
}

function select(state: ViewState, visible: readonly Exchange[], index: number): ViewState {
  if (visible.length === 0) return state;
  const clamped = Math.max(0, Math.min(index, visible.length - 1));
  // The last row selected means "follow the newest" again.
  const selectedSeq = clamped === visible.length - 1 ? null : (visible[clamped]?.seq ?? null);
  return { ...state, selectedSeq };
}

function scroll(state: ViewState, ex: Exchange, ctx: KeyContext, to: number): ViewState {
  const max = Math.max(0, ctx.detailsLength(ex) - ctx.detailsHeight);
  return { ...state, detailsOffset: Math.max(0, Math.min(to, max)) };
}

function searchKey(state: ViewState, key: KeyPress): ViewState {
  if (key.name === "escape") return { ...state, searching: false, query: "", selectedSeq: null };
  if (key.name === "enter") return { ...state, searching: false };
  if (key.name === "backspace") return { ...state, query: [...state.query].slice(0, -1).join("") };
  // Ctrl-U clears the line, as in a shell.
  if (key.ctrl && key.text === "u") return { ...state, query: "", selectedSeq: null };
  if (key.name === "text" && !key.ctrl) {
    return { ...state, query: state.query + key.text.replace(/\p{Cc}/gu, ""), selectedSeq: null };
  }
  return state;
}

/** A moving key in the details view: scrolls them; Enter and Escape go back to the list. */
function detailsKey(
  base: ViewState,
  key: KeyPress,
  selected: Exchange,
  ctx: KeyContext,
): ViewState | null {
  const page = Math.max(1, ctx.detailsHeight - 1);
  const to: Partial<Record<KeyName, number>> = {
    up: base.detailsOffset - 1,
    down: base.detailsOffset + 1,
    pageUp: base.detailsOffset - page,
    pageDown: base.detailsOffset + page,
    home: 0,
    end: Number.MAX_SAFE_INTEGER,
  };
  const offset = to[key.name];
  if (offset !== undefined) return scroll(base, selected, ctx, offset);
  if (key.name === "enter" || key.name === "escape") {
    return { ...base, details: false, detailsOffset: 0 };
  }
  return null;
}

/** A moving key in the list: selects another row; Enter opens its details, Escape clears. */
function listKey(
  base: ViewState,
  key: KeyPress,
  visible: readonly Exchange[],
  index: number,
  ctx: KeyContext,
): ViewState | null {
  const to: Partial<Record<KeyName, number>> = {
    up: index - 1,
    down: index + 1,
    pageUp: index - ctx.listHeight,
    pageDown: index + ctx.listHeight,
    home: 0,
    end: visible.length - 1,
  };
  const target = to[key.name];
  if (target !== undefined) return select(base, visible, target);
  const selected = visible[index];
  if (key.name === "enter") {
    return selected
      ? { ...base, details: true, detailsOffset: 0, selectedSeq: selected.seq }
      : base;
  }
  // Esc clears every filter: the search, the event type and the verdict.
  if (key.name === "escape") return isFiltered(base) ? withoutFilters(base) : base;
  return null;
}

/** A search, an event type or a verdict limits the list. */
export function isFiltered(s: ViewState): boolean {
  return s.query !== "" || s.typeFilter !== 0 || s.verdictFilter !== 0;
}

function withoutFilters(s: ViewState): ViewState {
  return { ...s, query: "", typeFilter: 0, verdictFilter: 0, selectedSeq: null };
}

/** `r` and `e`: send the row to the app (a rejected one asks for a second `r` first). */
function sendKey(base: ViewState, text: string, selected: Exchange, ctx: KeyContext): KeyResult {
  if (ctx.cannotForward) return { state: withMessage(base, ctx.cannotForward, ctx, "error") };
  if (text === "e") return { state: base, effect: { type: "edit", exchange: selected } };
  if (selected.verdict.rejected && base.confirmReplay !== selected.seq) {
    const why = selected.verdict.error ?? `answered ${selected.status}`;
    return {
      state: withMessage(
        { ...base, confirmReplay: selected.seq },
        `press r again to send #${selected.seq} to the app anyway: the listener rejected it (${selected.status}: ${why})`,
        ctx,
        "error",
      ),
    };
  }
  return {
    state: { ...base, confirmReplay: null },
    effect: { type: "replay", exchange: selected },
  };
}

/** A letter: quit, search, filters, and what is done with the selected row. */
function letterKey(
  base: ViewState,
  text: string,
  selected: Exchange | undefined,
  ctx: KeyContext,
): KeyResult {
  switch (text) {
    case "q":
      return { state: base, effect: { type: "quit" } };
    case "/":
      return { state: { ...base, searching: true, details: false } };
    case "f": {
      const typeFilter = (base.typeFilter + 1) % TYPE_FILTERS.length;
      return { state: { ...base, typeFilter, selectedSeq: null, details: false } };
    }
    case "v": {
      const verdictFilter = (base.verdictFilter + 1) % VERDICT_FILTERS.length;
      return { state: { ...base, verdictFilter, selectedSeq: null, details: false } };
    }
    // Shift: that filter off in one key.
    case "F":
      return { state: { ...base, typeFilter: 0, selectedSeq: null, details: false } };
    case "V":
      return { state: { ...base, verdictFilter: 0, selectedSeq: null, details: false } };
    case "?":
      return { state: { ...base, help: true } };
  }
  if (!selected) return { state: base };
  switch (text) {
    case "c":
      return { state: base, effect: { type: "curl", exchange: selected } };
    case "x":
    case "h": {
      const format = text === "x" ? "json" : "har";
      return { state: base, effect: { type: "export", exchange: selected, format } };
    }
    case "r":
    case "e":
      return sendKey(base, text, selected, ctx);
    default:
      return { state: base };
  }
}

/** What one key does. */
export function handleKey(state: ViewState, key: KeyPress, ctx: KeyContext): KeyResult {
  if (key.ctrl && key.text === "c") return { state, effect: { type: "quit" } };
  // The key list is shown: any key closes it, and does nothing else.
  if (state.help) return { state: { ...state, help: false } };
  if (state.searching) return { state: searchKey(state, key) };
  const view = viewOf(state, ctx);
  const index = selectedIndex(state, view);
  const selected = view.entries[index];
  // Any other key cancels a pending "press r again".
  const base: ViewState =
    state.confirmReplay !== null && !(key.name === "text" && key.text === "r")
      ? { ...state, confirmReplay: null }
      : state;
  const moved =
    base.details && selected
      ? detailsKey(base, key, selected, ctx)
      : listKey(base, key, view.entries, index, ctx);
  if (moved) return { state: moved };
  if (key.name !== "text") return { state: base };
  return letterKey(base, key.text, selected, ctx);
}
