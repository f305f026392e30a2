// The inspector page: the listener's requests, live. Every field from a request is outside text:
// it goes into the page with textContent only, never as markup.

const rows = new Map();
const order = [];
let selected = null;

const $ = (id) => document.getElementById(id);

/** Control characters and invisible marks shown as visible symbols, never interpreted. */
function visible(text) {
  return String(text).replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is made visible
    /[\u0000-\u0008\u000b-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = visible(text ?? "");
  if (className) td.className = className;
  return td;
}

function signatureText(row) {
  const s = row.signature.status;
  if (s === "valid") return ["✓ valid", "ok"];
  if (s === "skipped") return ["– not checked", "dim"];
  return [`✗ ${s}`, "bad"];
}

function render(row) {
  const tr = document.createElement("tr");
  tr.dataset.seq = String(row.seq);
  const [sig, sigClass] = signatureText(row);
  tr.append(
    cell(`#${row.seq}`, "dim"),
    cell(new Date(row.received_at).toLocaleTimeString(), "dim"),
    cell(row.event_type ?? row.error ?? "-", row.error ? "bad" : ""),
    cell(row.title ?? ""),
    cell(sig, sigClass),
    cell(
      row.schema === null ? "–" : row.schema === "valid" ? "✓" : "✗",
      row.schema === "invalid" ? "bad" : "",
    ),
    cell(`${row.status ?? "---"}${row.forwarded ? ` → ${row.forward_status ?? "failed"}` : ""}`),
  );
  tr.addEventListener("click", () => select(row.seq, true));
  return tr;
}

/** Whether a row shows under the search: its type, title, event id or #seq holds the text. */
function shows(row, query) {
  if (query === "") return true;
  const q = query.toLowerCase();
  return [row.event_type, row.title, row.event_id, row.error, `#${row.seq}`].some((f) =>
    String(f ?? "")
      .toLowerCase()
      .includes(q),
  );
}

/** The search, kept in the page's address (a reload or the back button keeps it). */
function applySearch(query) {
  for (const tr of $("rows").children) {
    tr.hidden = !shows(rows.get(Number(tr.dataset.seq)), query);
  }
  const url = new URL(location.href);
  if (query === "") url.searchParams.delete("q");
  else url.searchParams.set("q", query);
  history.replaceState(null, "", url);
}

function add(row) {
  if (rows.has(row.seq)) return;
  rows.set(row.seq, row);
  order.push(row.seq);
  const following = selected === null || selected === order[order.length - 2];
  const tr = render(row);
  tr.hidden = !shows(row, $("search").value);
  $("rows").append(tr);
  $("empty").hidden = true;
  if (following && $("details").hidden) select(row.seq, false);
}

function select(seq, open) {
  selected = seq;
  for (const tr of $("rows").children) {
    tr.classList.toggle("selected", tr.dataset.seq === String(seq));
  }
  const tr = $("rows").querySelector(`tr[data-seq="${seq}"]`);
  tr?.scrollIntoView({ block: "nearest" });
  if (open) void details(seq);
}

function section(title) {
  const h = document.createElement("h2");
  h.textContent = title;
  return h;
}

async function details(seq) {
  const res = await fetch(`/api/exchanges/${seq}`);
  const d = await res.json();
  const box = $("details");
  box.replaceChildren();
  box.hidden = false;
  box.append(section(`#${d.seq} ${d.method} ${visible(d.path)} → ${d.status ?? "---"}`));
  const verdict = document.createElement("p");
  const [sig, sigClass] = signatureText(d);
  verdict.className = sigClass;
  verdict.textContent = visible(
    `signature ${sig}${d.signature.header ? ` (${d.signature.header})` : ""}${d.signature_reason ? `: ${d.signature_reason}` : ""}`,
  );
  box.append(verdict);
  if (d.error) {
    const p = document.createElement("p");
    p.className = "bad";
    p.textContent = visible(d.error);
    box.append(p);
  }
  for (const e of d.validation_errors) {
    const p = document.createElement("p");
    p.className = "bad";
    p.textContent = visible(`${e.path}: ${e.message}`);
    box.append(p);
  }
  box.append(section("Headers"));
  const headers = document.createElement("pre");
  headers.textContent = d.headers.map(([k, v]) => `${visible(k)}: ${visible(v)}`).join("\n");
  box.append(headers);
  box.append(section(d.body_encoding === "base64" ? "Body (not UTF-8: base64)" : "Body"));
  const body = document.createElement("pre");
  body.textContent = d.body_dropped ? "(dropped from memory: see the recording)" : visible(d.body);
  box.append(body);
}

async function load() {
  const res = await fetch("/api/exchanges");
  for (const row of await res.json()) add(row);
}

function connect() {
  // From the last row loaded: what arrived in between comes first, nothing is lost or doubled.
  const after = order.length > 0 ? order[order.length - 1] : 0;
  const events = new EventSource(`/api/stream?after=${after}`);
  events.onopen = () => {
    $("state").textContent = "live";
  };
  events.onmessage = (e) => add(JSON.parse(e.data));
  events.addEventListener("resync", () => {
    events.close();
    void load().then(connect);
  });
  events.onerror = () => {
    $("state").textContent = "reconnecting…";
  };
}

$("search").value = new URL(location.href).searchParams.get("q") ?? "";
$("search").addEventListener("input", () => applySearch($("search").value));
$("search").addEventListener("keydown", (e) => {
  if (e.key === "Escape") {
    $("search").value = "";
    applySearch("");
    $("search").blur();
  }
  // Keys typed here are the search's, not the list's.
  e.stopPropagation();
});

document.addEventListener("keydown", (e) => {
  if (e.key === "/") {
    $("search").focus();
    e.preventDefault();
    return;
  }
  const at = order.indexOf(selected);
  if (e.key === "j" || e.key === "ArrowDown")
    select(order[Math.min(order.length - 1, at + 1)], false);
  else if (e.key === "k" || e.key === "ArrowUp") select(order[Math.max(0, at - 1)], false);
  else if (e.key === "Enter" && selected !== null) void details(selected);
  else if (e.key === "Escape") $("details").hidden = true;
  else return;
  e.preventDefault();
});

void load().then(connect);
