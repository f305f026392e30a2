// The inspector page: the list (virtual, live), a request's details, and what can be done with
// it. Filters, pins and the open request live in the page's address: reload, a link and the back
// button keep them. Keys as in the terminal UI.

import { getJson, postJson } from "./api.js";
import { detailsView } from "./details.js";
import { diffView } from "./diff.js";
import { editorView } from "./editor.js";
import { VirtualList } from "./list.js";
import { el } from "./text.js";

const $ = (id) => document.getElementById(id);

let info = null;
let events = null;
/** The request whose details are open, and the one marked for a diff. */
let openSeq = null;
let marked = null;
let pins = [];
/** The details shown (from /api/exchanges/SEQ), or null. */
let current = null;

const list = new VirtualList({
  viewport: $("viewport"),
  rows: $("rows"),
  spacer: $("spacer"),
  // With a request's details open, moving the selection shows the next one's.
  onSelect: (row) => {
    if (current && openSeq === current.seq && openSeq !== row.seq) void openDetails(row.seq);
  },
  onOpen: (seq) => void openDetails(seq),
  onCounts: ({ total, unseen }) => {
    $("count").textContent = `${total.toLocaleString("en-US")} shown`;
    $("new-rows").hidden = unseen === 0;
    $("new-rows").textContent = `${unseen.toLocaleString("en-US")} new ↓`;
  },
});

// --- messages -------------------------------------------------------------------------------

let toastTimer = 0;
function say(text, tone = "info") {
  const t = $("toast");
  t.replaceChildren(el("span", { className: tone }, text));
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    t.hidden = true;
  }, 6000);
}

// --- filters in the address ----------------------------------------------------------------

function filtersFromUrl() {
  const p = new URL(location.href).searchParams;
  $("search").value = p.get("q") ?? "";
  $("type").value = p.get("type") ?? "";
  $("verdict").value = p.get("verdict") ?? "all";
  $("status").value = p.get("status") ?? "";
  $("where").value = p.getAll("where").join(" & ");
  pins = (p.get("pins") ?? "").split(",").filter(Boolean).map(Number);
  const open = Number(p.get("open"));
  return Number.isInteger(open) && open > 0 ? open : null;
}

/** The filters as a query string (what /api/rows and the stream take). */
function filterQuery() {
  const p = new URLSearchParams();
  const q = $("search").value;
  if (q) p.set("q", q);
  if ($("type").value) p.set("type", $("type").value);
  if ($("verdict").value !== "all") p.set("verdict", $("verdict").value);
  if ($("status").value) p.set("status", $("status").value);
  // One PATH=VALUE, or several joined by " & " (a value keeps its spaces).
  for (const w of $("where").value.split(" & ")) if (w.trim()) p.append("where", w.trim());
  return p.toString();
}

function writeUrl(push) {
  const p = new URLSearchParams(filterQuery());
  if (pins.length) p.set("pins", pins.join(","));
  if (openSeq !== null) p.set("open", String(openSeq));
  const url = `/${p.size ? `?${p}` : ""}`;
  if (url === `${location.pathname}${location.search}`) return;
  if (push) history.pushState(null, "", url);
  else history.replaceState(history.state, "", url);
}

// --- the list and its stream -----------------------------------------------------------------

let loaded = "";
async function load() {
  const query = filterQuery();
  loaded = query;
  let got;
  try {
    got = await getJson(`/api/rows?count=100${query ? `&${query}` : ""}`);
    $("where").setCustomValidity("");
  } catch (e) {
    $("where").setCustomValidity(e.message);
    say(e.message, "bad");
    return;
  }
  if (loaded !== query) return;
  list.reset(query, got);
  showState(got);
  connect(query, got.newest_seq);
}

function showState(got) {
  $("empty").hidden = got.total > 0;
  $("empty").textContent =
    got.failure ??
    (filterQuery()
      ? "No request matches the filters (Esc clears them)"
      : got.empty_text || "Waiting for requests…");
  $("state").textContent =
    got.loading !== null && got.loading !== undefined
      ? `reading ${Math.floor(got.loading * 100)}%`
      : got.progress !== null && got.progress !== undefined
        ? `searching ${Math.floor(got.progress * 100)}%`
        : info?.kind === "listen"
          ? "live"
          : "";
}

function connect(query, after) {
  events?.close();
  events = new EventSource(`/api/stream?after=${after}${query ? `&${query}` : ""}`);
  const mine = events;
  events.onmessage = (e) => {
    if (mine !== events) return;
    list.append(JSON.parse(e.data));
    $("empty").hidden = list.total > 0;
    $("state").textContent = "live";
  };
  events.addEventListener("change", (e) => {
    const data = JSON.parse(e.data);
    list.invalidate(data.total);
    showState(data);
  });
  events.addEventListener("bye", () => {
    events.close();
    $("state").textContent =
      `stopped: ${info?.kind === "listen" ? "the listener" : "inspect"} has ended (its rows stay shown)`;
  });
  events.addEventListener("resync", () => {
    events.close();
    void load();
  });
  events.onerror = () => {
    if (info?.kind === "listen") $("state").textContent = "reconnecting…";
  };
}

// --- the panel: details, edit, diff --------------------------------------------------------

function closePanel() {
  if (history.state?.panel) {
    // Opened with a history entry: Back closes it (and a phone's back button does too).
    history.back();
    return;
  }
  hidePanel();
}

function hidePanel() {
  $("panel").hidden = true;
  $("panel").replaceChildren();
  document.body.classList.remove("panel-open");
  openSeq = null;
  current = null;
  writeUrl(false);
}

function showPanel(view) {
  if ($("panel").hidden) history.pushState({ panel: true }, "", location.href);
  const close = el(
    "button",
    { type: "button", className: "close", onclick: closePanel, "aria-label": "close" },
    "✕ Close",
  );
  $("panel").replaceChildren(close, view);
  $("panel").hidden = false;
  document.body.classList.add("panel-open");
}

function button(label, key, action, disabled) {
  return el(
    "button",
    { type: "button", title: `${label} (${key})`, disabled, onclick: action },
    `${label} `,
    el("kbd", {}, key),
  );
}

function actionBar(d) {
  const canSend = info.cannot_send === null;
  const notSend = canSend ? null : info.cannot_send;
  const bar = el(
    "div",
    { className: "bar", role: "toolbar" },
    button("Replay", "r", () => void replay(d.seq), !canSend || d.body_dropped),
    button("Edit & resend", "e", () => edit(d), !canSend || d.body_dropped),
    button("Copy as curl", "c", () => void copyCurl(d.seq)),
    el(
      "a",
      { href: `/api/exchanges/${d.seq}/download?format=json`, download: "", className: "button" },
      "JSON template ",
      el("kbd", {}, "x"),
    ),
    el(
      "a",
      { href: `/api/exchanges/${d.seq}/download?format=har`, download: "", className: "button" },
      "HAR ",
      el("kbd", {}, "h"),
    ),
    button(pins.includes(d.seq) ? "Unpin" : "Pin", "p", () => togglePin(d.seq)),
    marked !== null && marked !== d.seq
      ? button(`Diff with #${marked}`, "d", () => void diff(marked, d.seq))
      : button(marked === d.seq ? "Marked for diff" : "Mark for diff", "m", () => mark(d.seq)),
    notSend ? el("span", { className: "dim" }, notSend) : null,
  );
  return bar;
}

async function openDetails(seq) {
  openSeq = seq;
  writeUrl(false);
  try {
    current = await getJson(`/api/exchanges/${seq}`);
  } catch (e) {
    say(e.message, "bad");
    return;
  }
  if (openSeq !== seq) return;
  showPanel(detailsView(current, { bar: actionBar(current), open: (s) => void openDetails(s) }));
}

async function replay(seq) {
  if (info.cannot_send) {
    say(info.cannot_send, "bad");
    return;
  }
  say(`Replaying #${seq}…`);
  try {
    const row = await postJson(`/api/exchanges/${seq}/replay`);
    say(
      `#${seq} replayed as #${row.seq}: the app answered ${row.forward_status ?? "nothing"}`,
      row.forward_status !== null && row.forward_status < 400 ? "ok" : "bad",
    );
  } catch (e) {
    say(e.message, "bad");
  }
}

function edit(d) {
  if (d.body_editable === null) return;
  showPanel(
    editorView(d, {
      say,
      onCancel: () => void openDetails(d.seq),
      onSent: (row) => {
        say(
          `Sent the edit of #${d.seq} as #${row.seq}: the app answered ${row.forward_status ?? "nothing"}`,
          "ok",
        );
        void openDetails(row.seq);
      },
    }),
  );
}

async function copyCurl(seq) {
  try {
    const got = await getJson(`/api/exchanges/${seq}/curl`);
    $("curl-text").textContent = got.command;
    $("curl-note").textContent =
      `${got.signed ? "Signed now." : "No secret: it carries the recorded signature."}${got.note ? ` (${got.note})` : ""}`;
    $("curl").hidden = false;
    await navigator.clipboard.writeText(got.command);
    say("curl command copied", "ok");
  } catch (e) {
    say(`not copied (${e.message}): select the command shown`, "bad");
  }
}

function mark(seq) {
  marked = marked === seq ? null : seq;
  $("marked").textContent =
    marked === null ? "" : `#${marked} marked: open another request and press d to diff`;
  // The open details show the mark (their buttons change).
  if (current && openSeq === current.seq) void openDetails(current.seq);
}

async function diff(a, b) {
  try {
    showPanel(diffView(await getJson(`/api/diff?a=${a}&b=${b}`)));
    openSeq = null;
    current = null;
    marked = null;
    $("marked").textContent = "";
  } catch (e) {
    say(e.message, "bad");
  }
}

// --- pins ----------------------------------------------------------------------------------

function togglePin(seq) {
  pins = pins.includes(seq) ? pins.filter((s) => s !== seq) : [...pins, seq];
  writeUrl(true);
  renderPins();
  if (current && openSeq === current.seq) void openDetails(current.seq);
}

function renderPins() {
  const box = $("pins");
  box.hidden = pins.length === 0;
  box.replaceChildren(
    el("span", { className: "dim" }, "Pinned:"),
    ...pins.map((seq) =>
      el(
        "button",
        { type: "button", className: "pin", onclick: () => void openDetails(seq) },
        `#${seq}`,
      ),
    ),
  );
}

// --- keys ----------------------------------------------------------------------------------

/** The request the keys act on: the one whose details are open, else the selected one. */
const target = () => (current && openSeq === current.seq ? current.seq : list.selectedSeq);
const withTarget = (run) => () => {
  const seq = target();
  if (seq !== null) run(seq);
};

/** f and v: the next event type or verdict filter (step 1), or none (step 0), as in the terminal. */
function cycle(id, step) {
  const select = $(id);
  select.selectedIndex = step === 0 ? 0 : (select.selectedIndex + 1) % select.options.length;
  writeUrl(true);
  void load();
}

async function editSeq(seq) {
  const d =
    current && current.seq === seq
      ? current
      : await getJson(`/api/exchanges/${seq}`).catch((e) => say(e.message, "bad"));
  if (!d) return;
  if (info.cannot_send) say(info.cannot_send, "bad");
  else edit(d);
}

function onEscape() {
  if (!$("help").hidden) $("help").hidden = true;
  else if (!$("curl").hidden) $("curl").hidden = true;
  else if (!$("panel").hidden) closePanel();
  else clearFilters();
}

/** The keys, as in the terminal UI. */
const KEYS = new Map([
  ["/", () => $("search").focus()],
  ["j", () => list.move(1)],
  ["ArrowDown", () => list.move(1)],
  ["k", () => list.move(-1)],
  ["ArrowUp", () => list.move(-1)],
  ["g", () => void list.select(0, false)],
  ["Home", () => void list.select(0, false)],
  ["G", () => list.last()],
  ["End", () => list.last()],
  ["Enter", () => list.selectedSeq !== null && void openDetails(list.selectedSeq)],
  ["Escape", onEscape],
  ["r", withTarget((seq) => void replay(seq))],
  ["e", withTarget((seq) => void editSeq(seq))],
  ["f", () => cycle("type", 1)],
  ["F", () => cycle("type", 0)],
  ["v", () => cycle("verdict", 1)],
  ["V", () => cycle("verdict", 0)],
  ["c", withTarget((seq) => void copyCurl(seq))],
  ["x", withTarget((seq) => location.assign(`/api/exchanges/${seq}/download?format=json`))],
  ["h", withTarget((seq) => location.assign(`/api/exchanges/${seq}/download?format=har`))],
  ["p", withTarget(togglePin)],
  ["m", withTarget(mark)],
  ["d", withTarget((seq) => marked !== null && void diff(marked, seq))],
  [
    "?",
    () => {
      $("help").hidden = !$("help").hidden;
    },
  ],
]);

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (
    t instanceof HTMLInputElement ||
    t instanceof HTMLSelectElement ||
    t instanceof HTMLTextAreaElement
  ) {
    if (e.key === "Escape") t.blur();
    return;
  }
  const run = KEYS.get(e.key);
  if (!run) return;
  e.preventDefault();
  run();
}

function clearFilters() {
  $("search").value = "";
  $("type").value = "";
  $("verdict").value = "all";
  $("status").value = "";
  $("where").value = "";
  writeUrl(true);
  void load();
}

// --- start ---------------------------------------------------------------------------------

function fillSelect(select, values, allLabel) {
  select.replaceChildren(
    el("option", { value: allLabel[0] }, allLabel[1]),
    ...values.filter((v) => v !== allLabel[0]).map((v) => el("option", { value: v }, v)),
  );
}

async function start() {
  info = await getJson("/api/info");
  $("title").textContent = `${info.kind === "listen" ? "listening on" : "recording"} ${info.title}`;
  $("secret").textContent = info.secret
    ? `secret ${info.secret}`
    : "no secret: signatures not checked";
  fillSelect($("type"), info.event_types, ["", "all event types"]);
  fillSelect($("verdict"), info.verdicts, ["all", "all verdicts"]);
  fillSelect($("status"), info.status_classes, ["", "any answer"]);
  const open = filtersFromUrl();
  renderPins();
  await load();
  if (open !== null) void openDetails(open);
}

let searchTimer = 0;
$("search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    writeUrl(true);
    void load();
  }, 250);
});
for (const id of ["type", "verdict", "status"]) {
  $(id).addEventListener("change", () => {
    writeUrl(true);
    void load();
  });
}
$("where").addEventListener("change", () => {
  writeUrl(true);
  void load();
});
$("download-all").addEventListener("click", () => {
  const q = filterQuery();
  location.assign(`/api/download?format=har${q ? `&${q}` : ""}`);
});
$("new-rows").addEventListener("click", () => list.scrollToEnd());
$("curl-close").addEventListener("click", () => {
  $("curl").hidden = true;
});
window.addEventListener("popstate", (e) => {
  if (!e.state?.panel && !$("panel").hidden) hidePanel();
  const open = filtersFromUrl();
  renderPins();
  void load();
  if (open !== null && e.state?.panel) void openDetails(open);
});
document.addEventListener("keydown", onKey);
void start().catch((e) => say(e.message, "bad"));
