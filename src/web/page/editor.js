// Edit and resend: the event in a text area, checked against its schema and the platform's rules
// as you type (by the server, with the same validator `listen` uses), then sent re-signed to the
// target the command was started with. Unchanged, the exact bytes that came are sent.

import { postJson } from "./api.js";
import { el } from "./text.js";

/** Where a path's last key is in the text, to put the cursor there. */
function offsetOfPath(text, path) {
  const key = /(?:^|\.)([^.[\]]+)$/.exec(path)?.[1];
  if (!key) return -1;
  return text.indexOf(`"${key}"`);
}

/** The problems of an edit (from /api/validate) as a list; each path puts the cursor at its key. */
function problemItems(result, area) {
  if (result.parse_error) {
    const { line, column, message } = result.parse_error;
    const at = el("button", { type: "button", className: "link" }, message);
    at.addEventListener("click", () => {
      const lines = area.value.split("\n");
      const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
      area.focus();
      area.setSelectionRange(offset, offset + 1);
    });
    return [el("li", { className: "bad" }, at)];
  }
  const items = [...result.errors, ...result.warnings].map((e) => {
    const path = el("button", { type: "button", className: "link" }, e.path);
    path.addEventListener("click", () => {
      const at = offsetOfPath(area.value, e.path);
      area.focus();
      if (at >= 0) area.setSelectionRange(at, at + e.path.length);
    });
    return el(
      "li",
      { className: result.errors.includes(e) ? "bad" : "warn" },
      path,
      ` ${e.message}`,
    );
  });
  if (result.valid && result.warnings.length === 0)
    items.push(el("li", { className: "ok" }, `✓ a valid ${result.event_type}`));
  return items;
}

export function editorView(d, { onSent, onCancel, say }) {
  const area = el("textarea", {
    className: "editor",
    spellcheck: "false",
    "aria-label": "event JSON",
  });
  area.value = d.body_editable ?? "";
  const problems = el("ul", { className: "issues", "aria-live": "polite" });
  const label = `Send to ${d.sends_to ?? "the app"}`;
  const send = el("button", { type: "button", className: "primary" }, label);
  const cancel = el("button", { type: "button", onclick: onCancel }, "Cancel (Esc)");
  let timer = 0;
  let asked = 0;

  const check = async () => {
    const mine = ++asked;
    const result = await postJson("/api/validate", area.value);
    if (mine !== asked) return;
    problems.replaceChildren(...problemItems(result, area));
    area.setAttribute("aria-invalid", String(!result.valid));
    // Not JSON cannot be sent; an invalid event can, on purpose (to test how the app takes it).
    send.disabled = result.parse_error !== null;
    send.textContent = result.valid || result.parse_error ? label : "Send anyway (invalid)";
  };
  const checkSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void check().catch((e) => say(e.message, "bad")), 200);
  };
  area.addEventListener("input", checkSoon);
  area.addEventListener("keydown", (e) => {
    e.stopPropagation();
    if (e.key === "Escape") onCancel();
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) send.click();
  });
  send.addEventListener("click", async () => {
    send.disabled = true;
    try {
      onSent(await postJson(`/api/exchanges/${d.seq}/resend`, area.value));
    } catch (e) {
      say(e.message, "bad");
      send.disabled = false;
    }
  });
  checkSoon();
  setTimeout(() => {
    area.focus();
    area.setSelectionRange(0, 0);
    area.scrollTop = 0;
  }, 0);
  return el(
    "article",
    { className: "details editing", "aria-label": `edit #${d.seq}` },
    el("h2", {}, `Edit #${d.seq} and send it re-signed`),
    area,
    problems,
    el(
      "div",
      { className: "bar" },
      send,
      cancel,
      el("span", { className: "dim" }, "Ctrl+Enter sends"),
    ),
  );
}
