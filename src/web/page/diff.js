// Two requests side by side: headers by name, bodies by JSON path (what one has and the other
// lacks, what differs), or as text when a body is no JSON.

import { el } from "./text.js";

const KIND = { added: "only in B", removed: "only in A", changed: "differs" };

function table(heads, rows) {
  return el(
    "table",
    { className: "diff" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        heads.map((h) => el("th", {}, h)),
      ),
    ),
    el("tbody", {}, rows),
  );
}

function headersTable(d) {
  return table(
    ["header", `A #${d.a.seq}`, `B #${d.b.seq}`],
    d.headers.map((h) =>
      el(
        "tr",
        { className: h.same ? "same" : "differs" },
        el("th", {}, h.name),
        el("td", {}, h.a ?? "—"),
        el("td", {}, h.b ?? "—"),
      ),
    ),
  );
}

function jsonChanges(body) {
  if (body.same)
    return el("p", { className: "ok" }, "The bodies hold the same JSON (key order aside).");
  const rows = body.changes.map((c) =>
    el(
      "tr",
      { className: c.kind },
      el("th", {}, el("code", {}, c.path)),
      el("td", { className: "dim" }, KIND[c.kind]),
      el("td", {}, c.a ?? "—"),
      el("td", {}, c.b ?? "—"),
    ),
  );
  const changes = table(["path", "", "A", "B"], rows);
  return body.truncated
    ? el("div", {}, changes, el("p", { className: "dim" }, "More differences than listed."))
    : changes;
}

function textSides(body) {
  return el(
    "div",
    { className: "side" },
    el("pre", { className: "raw" }, body.a),
    el("pre", { className: "raw" }, body.b),
    el(
      "p",
      { className: body.same ? "ok" : "dim" },
      body.same ? "The bodies are the same bytes." : "Not both JSON: compared as text.",
    ),
  );
}

export function diffView(d) {
  const name = (r) => `#${r.seq} ${r.event_type ?? r.error ?? ""} ${r.title ?? ""}`;
  return el(
    "article",
    { className: "details diffing", "aria-label": `diff #${d.a.seq} and #${d.b.seq}` },
    el("h2", {}, `Diff: A ${name(d.a)} · B ${name(d.b)}`),
    el(
      "section",
      { className: "box" },
      el("h3", {}, "Body, by path"),
      d.body.mode === "json" ? jsonChanges(d.body) : textSides(d.body),
    ),
    el("section", { className: "box" }, el("h3", {}, "Headers"), headersTable(d)),
  );
}
