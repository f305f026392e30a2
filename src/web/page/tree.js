// A JSON body as a tree to fold. Children are made when their node is first opened, so a body
// nested thousands of levels deep, or an array of a hundred thousand items, costs only what is
// shown. Numbers show as written (a big integer is not rounded); strings are cut, the raw view
// has them whole.

import { cut, el } from "./text.js";

/** A number as its JSON token (JSON.parse's source text access), so it is shown as written. */
class RawNumber {
  constructor(source) {
    this.source = source;
  }
}

/** The body parsed for the tree, or undefined when it is no JSON. */
export function parseBody(text) {
  try {
    return JSON.parse(text, (_key, value, context) =>
      typeof value === "number" && context?.source !== undefined
        ? new RawNumber(context.source)
        : value,
    );
  } catch {
    return undefined;
  }
}

const STRING_MAX = 2000;
/** Children made at a time; a "more" button makes the next ones. */
const CHUNK = 200;
/** Levels open at first. */
const OPEN_LEVELS = 3;

function isContainer(v) {
  return v !== null && typeof v === "object" && !(v instanceof RawNumber);
}

function scalar(value) {
  if (value instanceof RawNumber) return el("span", { className: "j-num" }, value.source);
  if (typeof value === "string")
    return el("span", { className: "j-str" }, JSON.stringify(cut(value, STRING_MAX)));
  if (value === null) return el("span", { className: "j-null" }, "null");
  return el("span", { className: "j-bool" }, String(value));
}

function summary(value) {
  const n = Array.isArray(value) ? value.length : Object.keys(value).length;
  return Array.isArray(value)
    ? `[${n} item${n === 1 ? "" : "s"}]`
    : `{${n} key${n === 1 ? "" : "s"}}`;
}

/** One node: a key (or index) and its value, foldable when the value is an object or array. */
function node(key, value, level) {
  const label = key === null ? null : el("span", { className: "j-key" }, `${key}: `);
  if (!isContainer(value)) return el("div", { className: "j-leaf" }, label, scalar(value));
  const box = el("details", { className: "j-node" });
  box.append(el("summary", {}, label, el("span", { className: "dim" }, summary(value))));
  let made = false;
  const make = () => {
    if (made) return;
    made = true;
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const list = el("div", { className: "j-children" });
    box.append(list);
    let shown = 0;
    const more = () => {
      for (const [k, v] of entries.slice(shown, shown + CHUNK)) list.append(node(k, v, level + 1));
      shown = Math.min(entries.length, shown + CHUNK);
      if (shown < entries.length) {
        const button = el(
          "button",
          { type: "button", className: "more" },
          `show ${Math.min(CHUNK, entries.length - shown)} more of ${entries.length - shown}`,
        );
        button.addEventListener("click", () => {
          button.remove();
          more();
        });
        list.append(button);
      }
    };
    more();
  };
  box.addEventListener("toggle", () => box.open && make());
  if (level < OPEN_LEVELS) {
    box.open = true;
    make();
  }
  return box;
}

/** The tree of a parsed body. */
export function jsonTree(value) {
  return el("div", { className: "json-tree" }, node(null, value, 0));
}
