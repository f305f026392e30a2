import type { ForwardResult } from "../core/exchanges/exchange.js";
import {
  type Effect,
  handleKey,
  INITIAL_STATE,
  type KeyContext,
  type KeyPress,
  type ViewState,
} from "./view-state.js";

/*
 * The live UI's state, for React's useReducer: the view (view-state.ts, moved by keys), the
 * effects keys asked for and not yet run, the answers of replays, and whether the editor of `e`
 * has the terminal. The reducer is pure: effects are run by the component, after the render.
 */

export interface UiState {
  view: ViewState;
  /** Effects asked for by keys, in order, not yet run. */
  effects: readonly Effect[];
  /** The app's answer to each replayed row, by seq. */
  replays: ReadonlyMap<number, ForwardResult>;
  /** The editor of `e` has the terminal: the UI draws nothing and reads no keys. */
  editing: boolean;
}

export const INITIAL_UI: UiState = {
  view: INITIAL_STATE,
  effects: [],
  replays: new Map(),
  editing: false,
};

export type UiAction =
  /** Keys pressed, with what they are judged against (the rows, the screen, the time). */
  | { type: "keys"; presses: readonly KeyPress[]; ctx: KeyContext }
  /** A change of the view that is not a key's (a message, the row an edit sent). */
  | { type: "view"; change: (view: ViewState) => ViewState }
  /** These effects were taken to be run. */
  | { type: "taken"; effects: readonly Effect[] }
  | { type: "replayed"; seq: number; result: ForwardResult }
  | { type: "editing"; on: boolean };

export function uiReducer(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case "keys": {
      let view = state.view;
      const effects = [...state.effects];
      for (const press of action.presses) {
        const result = handleKey(view, press, action.ctx);
        view = result.state;
        if (result.effect) effects.push(result.effect);
      }
      return { ...state, view, effects };
    }
    case "view":
      return { ...state, view: action.change(state.view) };
    case "taken":
      return { ...state, effects: state.effects.filter((e) => !action.effects.includes(e)) };
    case "replayed":
      return { ...state, replays: new Map(state.replays).set(action.seq, action.result) };
    case "editing":
      return { ...state, editing: action.on };
  }
}
