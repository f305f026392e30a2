// A request's details: what came (headers in the order received, the body as a tree and as exact
// text), each verdict with its reason, and the app's answer. Everything from outside as text.

import { bytesText, cut, el } from "./text.js";
import { jsonTree, parseBody } from "./tree.js";

/** Raw text shown at first; a button shows the rest. */
const RAW_MAX = 256 * 1024;

function section(title, ...children) {
  return el("section", { className: "box" }, el("h3", {}, title), ...children);
}

function kv(rows) {
  return el(
    "table",
    { className: "kv" },
    el(
      "tbody",
      {},
      rows.map(([k, v, cls]) =>
        el("tr", {}, el("th", {}, k), el("td", { className: cls ?? "" }, v)),
      ),
    ),
  );
}

function rawText(text) {
  const pre = el("pre", { className: "raw" }, cut(text, RAW_MAX));
  if (text.length <= RAW_MAX) return pre;
  const all = el(
    "button",
    { type: "button", className: "more" },
    `show all ${text.length} characters`,
  );
  all.addEventListener("click", () => {
    pre.replaceChildren();
    pre.append(el("span", {}, text));
    all.remove();
  });
  return el("div", {}, pre, all);
}

function signatureRow(d) {
  if (d.edited_from !== null) {
    return [
      "signature",
      `signed afresh by ticket-hooks when sent (a ${d.replayed ? "replay" : "edit"} of #${d.edited_from})`,
      "dim",
    ];
  }
  const s = d.signature;
  const mark = s.status === "valid" ? "✓" : s.status === "skipped" ? "–" : "✗";
  const tone = s.status === "valid" ? "ok" : s.status === "skipped" ? "dim" : "bad";
  return [
    "signature",
    `${mark} ${s.status}${s.header ? ` in ${s.header}` : ""}${d.signature_reason ? `: ${d.signature_reason}` : ""}`,
    tone,
  ];
}

function schemaRow(d) {
  if (d.schema === null) return ["schema", "– not checked", "dim"];
  return d.schema === "valid"
    ? ["schema", "✓ valid", "ok"]
    : ["schema", `✗ ${d.validation_errors.length} error(s)`, "bad"];
}

function answerRow(d) {
  if (d.edited_from !== null)
    return ["sent", "by ticket-hooks, not received: the app's answer is below", "dim"];
  if (d.status === null) return ["answered", "no answer (the sender went away)", "bad"];
  return ["answered", String(d.status), d.status >= 400 ? "bad" : ""];
}

function verdicts(d) {
  const sig = signatureRow(d);
  const rows = [sig, schemaRow(d), answerRow(d)];
  // The reason a request was turned away, unless the signature's row says it already.
  const said = sig[1].includes(d.error) || /^(invalid|missing) signature/.test(d.error ?? "");
  if (d.error && !said) rows.push(["why", d.error, "bad"]);
  if (d.signature_diagnosis)
    rows.push(["diagnosis", `${d.signature_diagnosis.id}: ${d.signature_diagnosis.text}`, "bad"]);
  const list = el(
    "ul",
    { className: "issues" },
    d.validation_errors.map((e) =>
      el(
        "li",
        { className: "bad" },
        el("code", {}, e.path),
        ` ${e.message} (expected ${e.expected}, got ${e.actual})`,
      ),
    ),
    d.validation_warnings.map((w) =>
      el("li", { className: "warn" }, el("code", {}, w.path), ` ${w.message}`),
    ),
  );
  return section("Verdicts", kv(rows), list);
}

function appAnswer(d) {
  const f = d.forward;
  if (!f) return null;
  const rows = [
    ["route", d.sends_to ?? "-"],
    [
      "status",
      f.status === null ? `no answer: ${f.error ?? "failed"}` : String(f.status),
      f.status === null || f.status >= 400 ? "bad" : "ok",
    ],
    ["time", `${f.duration_ms} ms`],
  ];
  const headers = Object.entries(f.headers ?? {});
  const size = f.body_truncated ? ` (first part of ${f.body_bytes} bytes)` : "";
  return section(
    "The app's answer",
    kv(rows),
    headers.length ? kv(headers) : null,
    f.body ? el("div", {}, el("h4", {}, `Body${size}`), rawText(f.body)) : null,
  );
}

function body(d) {
  if (d.body_dropped) {
    return section(
      "Body",
      el(
        "p",
        { className: "dim" },
        "dropped from memory (the log keeps the newest bodies): see the recording",
      ),
    );
  }
  const text = d.body_encoding === "base64" ? bytesText(d.body) : d.body;
  const parsed = d.body_encoding === "utf8" ? parseBody(d.body) : undefined;
  const title = `Body (${d.body_encoding === "base64" ? "not UTF-8: bytes shown as \\xNN" : `${new Blob([d.body]).size} bytes`})`;
  if (parsed === undefined) return section(title, rawText(text));
  const tree = jsonTree(parsed);
  const raw = rawText(text);
  raw.hidden = true;
  const tabs = el("div", { className: "tabs", role: "tablist" });
  const tab = (label, show) => {
    const b = el("button", { type: "button", role: "tab" }, label);
    b.addEventListener("click", () => {
      tree.hidden = show !== tree;
      raw.hidden = show !== raw;
      for (const t of tabs.children) t.setAttribute("aria-selected", String(t === b));
    });
    return b;
  };
  tabs.append(tab("Tree", tree), tab("Raw", raw));
  tabs.firstChild.setAttribute("aria-selected", "true");
  return section(title, tabs, tree, raw);
}

/** The details panel of `d` (from /api/exchanges/SEQ), with the action buttons given. */
export function detailsView(d, actions) {
  const link =
    d.edited_from === null
      ? null
      : el(
          "button",
          { type: "button", className: "link", onclick: () => actions.open(d.edited_from) },
          `${d.replayed ? "replay" : "edit"} of #${d.edited_from}`,
        );
  return el(
    "article",
    { className: "details", "aria-label": `request #${d.seq}` },
    el(
      "h2",
      {},
      `#${d.seq} ${d.method} ${d.path} → ${d.status ?? "no answer"} `,
      link,
      el("span", { className: "dim" }, ` ${d.event_type ?? ""}`),
    ),
    actions.bar,
    verdicts(d),
    appAnswer(d),
    section(
      d.edited_from === null
        ? "Request headers"
        : `Request headers (#${d.edited_from}'s; the signature was made afresh when sent)`,
      kv(d.headers),
    ),
    body(d),
  );
}
