// The list of requests as a virtual list: only the rows in view (and a few around them) are in
// the page, fetched from the server a block at a time. A list of a million rows costs what a
// screenful costs. It follows new rows while scrolled to the end, and counts the ones that
// arrived while you looked elsewhere.

import { getJson } from "./api.js";
import { el } from "./text.js";

export const ROW_HEIGHT = 28;
const BLOCK = 100;
const AROUND = 10;
/** Rows kept in the page at most (around the view). */
const KEEP = 4000;

function signatureCell(row) {
  const s = row.signature.status;
  const where = row.signature.header ? ` (${row.signature.header})` : "";
  if (s === "valid") return ["✓ valid", "ok", `valid${where}`];
  if (s === "skipped") return ["– not checked", "dim", "no --secret: not checked"];
  return [`✗ ${s}`, "bad", `${s}${where}`];
}

function answerText(row) {
  return row.status === null ? "no answer" : String(row.status);
}

function appText(row) {
  if (!row.forwarded) return "";
  return row.forward_status === null ? "✗ failed" : `→ ${row.forward_status}`;
}

const bad = (yes) => (yes ? " bad" : "");

/** Turned away, not answered, or the app failed: marked on the row too (seen at any width). */
function troubled(row) {
  return (
    row.status === null ||
    row.status >= 400 ||
    (row.forwarded && (row.forward_status === null || row.forward_status >= 400))
  );
}

function schemaCell(row) {
  if (row.schema === null) return ["c-schema dim", "–"];
  return row.schema === "valid" ? ["c-schema ok", "✓"] : ["c-schema bad", "✗ invalid"];
}

function eventCell(row) {
  const link = row.edited_from === null ? "" : `${row.replayed ? "↻" : "✎"}${row.edited_from} `;
  // The platform's types share a prefix: the list shows what differs (the title has the whole).
  const event = row.event_type?.replace(/^whitelabel-ticket-/, "") ?? row.error ?? "-";
  return [`c-event${bad(row.error)}`, `${link}${event}`, row.event_type ?? row.error ?? "-"];
}

/** The cells of one row, in the order of the list's header: [class, text, tooltip]. */
export function rowCells(row) {
  const [sig, sigClass, sigTitle] = signatureCell(row);
  const ticket = [row.title ?? "", row.ticket_id ? `· ${row.ticket_id}` : ""]
    .filter(Boolean)
    .join(" ");
  const badApp = row.forwarded && (row.forward_status === null || row.forward_status >= 400);
  return [
    ["c-seq dim", `#${row.seq}`],
    ["c-time dim", new Date(row.received_at).toLocaleTimeString()],
    ["c-path dim", `${row.method} ${row.path}`],
    eventCell(row),
    ["c-title", ticket],
    [`c-sig ${sigClass}`, sig, sigTitle],
    schemaCell(row),
    [`c-status${bad(row.status === null || row.status >= 400)}`, answerText(row)],
    [`c-app${bad(badApp)}`, appText(row)],
    ["c-ms dim", row.duration_ms === null ? "" : `${row.duration_ms} ms`],
  ];
}

/** A row put at its place in the list (through the CSSOM: the CSP allows no style attribute). */
function placed(div, index) {
  div.style.top = `${index * ROW_HEIGHT}px`;
  return div;
}

export class VirtualList {
  constructor({ viewport, rows, spacer, onSelect, onOpen, onCounts }) {
    this.viewport = viewport;
    this.rowsBox = rows;
    this.spacer = spacer;
    this.onSelect = onSelect;
    this.onOpen = onOpen;
    this.onCounts = onCounts;
    this.query = "";
    this.total = 0;
    this.cache = new Map();
    this.loading = new Set();
    this.following = true;
    this.unseen = 0;
    /** The oldest row the server keeps: when it changes, the rows have moved up. */
    this.first = 0;
    this.selectedSeq = null;
    this.selectedIndex = -1;
    this.generation = 0;
    this.frame = 0;
    viewport.addEventListener("scroll", () => {
      const atEnd = this.atEnd();
      if (atEnd !== this.following) {
        this.following = atEnd;
        this.unseen = 0;
      }
      this.schedule();
      this.counts();
    });
    new ResizeObserver(() => this.schedule()).observe(viewport);
  }

  atEnd() {
    const v = this.viewport;
    return v.scrollTop + v.clientHeight >= v.scrollHeight - ROW_HEIGHT / 2;
  }

  /** Starts over with another filter (its query string): what is cached belongs to the old one. */
  reset(query, got) {
    this.query = query;
    this.generation++;
    this.cache.clear();
    this.loading.clear();
    this.first = got.first_seq;
    this.selectedIndex = -1;
    this.setTotal(got.total);
    this.put(got.start, got.rows);
    this.following = true;
    this.unseen = 0;
    this.scrollToEnd();
    this.counts();
  }

  /** Rows at their places from `start`. */
  put(start, rows) {
    for (let i = 0; i < rows.length; i++) this.cache.set(start + i, rows[i]);
  }

  setTotal(total) {
    this.total = total;
    this.spacer.style.height = `${total * ROW_HEIGHT}px`;
  }

  /**
   * A batch from the event stream: `count` new rows, the list's length now (`total`), the oldest
   * row kept (`first`), and the newest rows whole.
   */
  append({ count, total, first, rows }) {
    const wasLast = this.selectedSeq === null || this.selectedIndex === this.total - 1;
    if (first !== this.first) {
      // The server let go of its oldest rows: every index moved.
      this.first = first;
      this.generation++;
      this.cache.clear();
      this.loading.clear();
      this.selectedIndex = -1;
    }
    this.setTotal(total);
    this.put(total - rows.length, rows);
    if (this.following) {
      if (wasLast && rows.length > 0) this.select(total - 1, false);
      this.scrollToEnd();
    } else {
      this.unseen += count;
    }
    this.schedule();
    this.counts();
  }

  /** The server's list changed in ways the stream does not say (a recording read further): fetch again. */
  invalidate(total) {
    this.generation++;
    this.cache.clear();
    this.loading.clear();
    this.setTotal(total);
    if (this.following) this.scrollToEnd();
    this.schedule();
    this.counts();
  }

  counts() {
    this.onCounts({ total: this.total, unseen: this.following ? 0 : this.unseen });
  }

  scrollToEnd() {
    this.viewport.scrollTop = this.viewport.scrollHeight;
    this.following = true;
    this.schedule();
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  range() {
    const v = this.viewport;
    const first = Math.max(0, Math.floor(v.scrollTop / ROW_HEIGHT) - AROUND);
    const last = Math.min(
      this.total,
      Math.ceil((v.scrollTop + v.clientHeight) / ROW_HEIGHT) + AROUND,
    );
    return [first, last];
  }

  render() {
    const [first, last] = this.range();
    this.forget(first, last);
    const made = [];
    for (let i = first; i < last; i++) {
      const row = this.cache.get(i);
      if (!row) {
        this.fetchBlock(Math.floor(i / BLOCK));
        made.push(placed(el("div", { className: "row pending" }, "…"), i));
        continue;
      }
      const div = el(
        "div",
        {
          className: `row${row.seq === this.selectedSeq ? " selected" : ""}${troubled(row) ? " troubled" : ""}`,
          dataset: { seq: row.seq, index: i },
          "aria-selected": row.seq === this.selectedSeq ? "true" : "false",
        },
        rowCells(row).map(([className, text, title]) =>
          el("span", { className, title: title ?? text }, text),
        ),
      );
      placed(div, i);
      div.addEventListener("click", () => {
        this.select(i, false);
        this.onOpen(row.seq);
      });
      made.push(div);
    }
    this.rowsBox.replaceChildren(...made);
  }

  /** Rows far from the view are let go (fetched again if scrolled back to): the page stays small. */
  forget(first, last) {
    if (this.cache.size <= KEEP) return;
    for (const index of this.cache.keys()) {
      if (index < first - KEEP / 4 || index > last + KEEP / 4) this.cache.delete(index);
    }
  }

  async fetchBlock(block) {
    if (this.loading.has(block)) return;
    this.loading.add(block);
    const generation = this.generation;
    try {
      const got = await getJson(
        `/api/rows?start=${block * BLOCK}&count=${BLOCK}${this.query ? `&${this.query}` : ""}`,
      );
      if (generation !== this.generation) return;
      this.put(got.start, got.rows);
      if (got.total !== this.total) this.setTotal(got.total);
      this.schedule();
    } finally {
      if (generation === this.generation) this.loading.delete(block);
    }
  }

  /** The row at `index`, fetched when it is not at hand. */
  async rowAt(index) {
    if (!this.cache.has(index)) {
      await this.fetchBlock(Math.floor(index / BLOCK));
    }
    return this.cache.get(index);
  }

  /** Selects the row at `index` (scrolled into view); `open` also opens its details. */
  async select(index, open) {
    if (index < 0 || index >= this.total) return;
    const row = await this.rowAt(index);
    if (!row) return;
    this.selectedSeq = row.seq;
    this.selectedIndex = index;
    const v = this.viewport;
    const top = index * ROW_HEIGHT;
    if (top < v.scrollTop) v.scrollTop = top;
    else if (top + ROW_HEIGHT > v.scrollTop + v.clientHeight)
      v.scrollTop = top + ROW_HEIGHT - v.clientHeight;
    this.schedule();
    this.onSelect(row);
    if (open) this.onOpen(row.seq);
  }

  /** Where the selected row is now (the list may have moved under it), or -1. */
  indexOfSelected() {
    if (this.selectedSeq === null) return -1;
    if (this.cache.get(this.selectedIndex)?.seq === this.selectedSeq) return this.selectedIndex;
    for (const [index, row] of this.cache) if (row.seq === this.selectedSeq) return index;
    return -1;
  }

  move(delta) {
    const at = this.indexOfSelected();
    const from = at < 0 ? (delta > 0 ? -1 : this.total) : at;
    void this.select(Math.min(this.total - 1, Math.max(0, from + delta)), false);
  }

  /** Selects the last row and follows new ones. */
  last() {
    this.scrollToEnd();
    void this.select(this.total - 1, false);
  }
}
