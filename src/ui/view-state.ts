import { EVENTS } from "../core/events/catalogue.js";
import type { Exchange } from "../core/exchanges/exchange.js";
import {
  type ExchangeFilter,
  type FilteredView,
  filterExchanges,
  VERDICT_FILTERS,
} from "../core/exchanges/exchange-query.js";

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

/** The exchanges the state's filter shows, from the source's view or by filtering `entries`. */
export function viewOf(state: ViewState, ctx: Pick<KeyContext, "entries" | "view">): FilteredView {
  const filter = filterOf(state);
  if (ctx.view) return ctx.view(filter);
  const entries = filterExchanges(ctx.entries, filter);
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

/** What one key does. */
export function handleKey(state: ViewState, key: KeyPress, ctx: KeyContext): KeyResult {
  if (key.ctrl && key.text === "c") return { state, effect: { type: "quit" } };
  if (state.searching) return { state: searchKey(state, key) };
  const view = viewOf(state, ctx);
  const visible = view.entries;
  const index = selectedIndex(state, view);
  const selected = visible[index];
  // Any other key cancels a pending "press r again".
  const base: ViewState =
    state.confirmReplay !== null && !(key.name === "text" && key.text === "r")
      ? { ...state, confirmReplay: null }
      : state;

  if (base.details && selected) {
    const page = Math.max(1, ctx.detailsHeight - 1);
    switch (key.name) {
      case "up":
        return { state: scroll(base, selected, ctx, base.detailsOffset - 1) };
      case "down":
        return { state: scroll(base, selected, ctx, base.detailsOffset + 1) };
      case "pageUp":
        return { state: scroll(base, selected, ctx, base.detailsOffset - page) };
      case "pageDown":
        return { state: scroll(base, selected, ctx, base.detailsOffset + page) };
      case "home":
        return { state: scroll(base, selected, ctx, 0) };
      case "end":
        return { state: scroll(base, selected, ctx, Number.MAX_SAFE_INTEGER) };
      case "enter":
      case "escape":
        return { state: { ...base, details: false, detailsOffset: 0 } };
      default:
        break;
    }
  } else {
    switch (key.name) {
      case "up":
        return { state: select(base, visible, index - 1) };
      case "down":
        return { state: select(base, visible, index + 1) };
      case "pageUp":
        return { state: select(base, visible, index - ctx.listHeight) };
      case "pageDown":
        return { state: select(base, visible, index + ctx.listHeight) };
      case "home":
        return { state: select(base, visible, 0) };
      case "end":
        return { state: select(base, visible, visible.length - 1) };
      case "enter":
        if (!selected) return { state: base };
        return {
          state: { ...base, details: true, detailsOffset: 0, selectedSeq: selected.seq },
        };
      case "escape":
        if (base.query) return { state: { ...base, query: "", selectedSeq: null } };
        return { state: base };
      default:
        break;
    }
  }
  if (key.name !== "text") return { state: base };
  switch (key.text) {
    case "q":
      return { state: base, effect: { type: "quit" } };
    case "/":
      return { state: { ...base, searching: true, details: false } };
    case "f":
      return {
        state: {
          ...base,
          typeFilter: (base.typeFilter + 1) % TYPE_FILTERS.length,
          selectedSeq: null,
          details: false,
        },
      };
    case "v":
      return {
        state: {
          ...base,
          verdictFilter: (base.verdictFilter + 1) % VERDICT_FILTERS.length,
          selectedSeq: null,
          details: false,
        },
      };
    case "c":
      if (!selected) return { state: base };
      return { state: base, effect: { type: "curl", exchange: selected } };
    case "x":
    case "h":
      if (!selected) return { state: base };
      return {
        state: base,
        effect: { type: "export", exchange: selected, format: key.text === "x" ? "json" : "har" },
      };
    case "r":
    case "e": {
      if (!selected) return { state: base };
      if (ctx.cannotForward) return { state: withMessage(base, ctx.cannotForward, ctx, "error") };
      if (key.text === "e") return { state: base, effect: { type: "edit", exchange: selected } };
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
    default:
      return { state: base };
  }
}
