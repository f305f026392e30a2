import { describe, expect, it } from "vitest";
import { INITIAL_UI, uiReducer } from "../../src/ui/app-state.js";
import type { KeyContext, KeyPress } from "../../src/ui/view-state.js";
import { answer, exchange } from "./ui-harness.js";

const rows = [exchange(1, "created", "One"), exchange(2, "updated", "Two")];
const ctx: KeyContext = {
  entries: rows,
  listHeight: 10,
  detailsHeight: 10,
  detailsLength: () => 5,
  now: 1000,
  messageMs: 5000,
  cannotForward: null,
};
const key = (text: string): KeyPress => ({ name: "text", text, ctrl: false });
const enter: KeyPress = { name: "enter", text: "", ctrl: false };

describe("uiReducer: the live UI's state, moved by keys", () => {
  it("keys move the view and queue their effects in order, until taken", () => {
    const pressed = uiReducer(INITIAL_UI, { type: "keys", presses: [key("c"), key("r")], ctx });
    expect(pressed.effects.map((e) => e.type)).toEqual(["curl", "replay"]);
    const more = uiReducer(pressed, { type: "keys", presses: [key("q")], ctx });
    const taken = uiReducer(more, { type: "taken", effects: pressed.effects });
    expect(taken.effects.map((e) => e.type)).toEqual(["quit"]);
  });

  it("Enter opens the selected row's details; the answer of a replay is kept by seq", () => {
    const opened = uiReducer(INITIAL_UI, { type: "keys", presses: [enter], ctx });
    expect(opened.view.details).toBe(true);
    const replayed = uiReducer(opened, { type: "replayed", seq: 2, result: answer(202) });
    expect(replayed.replays.get(2)?.status).toBe(202);
    expect(INITIAL_UI.replays.size).toBe(0);
  });

  it("the editor takes the terminal and gives it back", () => {
    const editing = uiReducer(INITIAL_UI, { type: "editing", on: true });
    expect(editing.editing).toBe(true);
    expect(uiReducer(editing, { type: "editing", on: false }).editing).toBe(false);
  });
});
