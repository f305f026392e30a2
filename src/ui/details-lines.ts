import type { Exchange, ForwardResult } from "../core/exchanges/exchange.js";
import { tryParseJson } from "../core/json.js";
import { safeLine } from "../terminal/safe-text.js";

/*
 * The details of an exchange as lines (already made terminal-safe), so the details view is one
 * list that scrolls and stops at its ends.
 */

export type LineStyle = "title" | "section" | "ok" | "error" | "warning" | "dim" | "json" | "plain";

export interface DetailLine {
  text: string;
  style: LineStyle;
}

const headerLines = (headers: Readonly<Record<string, string | string[] | undefined>>) =>
  Object.entries(headers).map(
    ([k, h]): DetailLine => ({
      text: `  ${safeLine(k)}: ${safeLine(Array.isArray(h) ? h.join(", ") : (h ?? ""))}`,
      style: "plain",
    }),
  );

/** Pretty JSON when the text parses, else the text; one safe line each. */
function bodyLines(text: string): DetailLine[] {
  const parsed = text.length > 0 ? tryParseJson(text) : { ok: false as const };
  const pretty = parsed.ok ? JSON.stringify(parsed.value, null, 2) : text;
  return pretty
    .split("\n")
    .map((line) => ({ text: safeLine(line), style: parsed.ok ? "json" : "plain" }));
}

/** The app's answer to a forward or a replay. */
export function answerLines(label: string, f: ForwardResult): DetailLine[] {
  if (f.status === null) {
    return [{ text: `${label}: no answer (${safeLine(f.error ?? "failed")})`, style: "error" }];
  }
  const size = f.body_truncated
    ? ` (first ${Buffer.byteLength(f.body)} of ${f.body_bytes} bytes)`
    : "";
  return [
    {
      text: `${label}: ${f.status} in ${f.duration_ms} ms`,
      style: f.status >= 400 ? "error" : "ok",
    },
    ...headerLines(f.headers),
    ...(f.body ? [{ text: `  Body${size}`, style: "dim" as const }, ...bodyLines(f.body)] : []),
  ];
}

export function detailsLines(ex: Exchange, replay?: ForwardResult): DetailLine[] {
  const v = ex.verdict;
  const lines: DetailLine[] = [
    {
      text: `#${ex.seq}${ex.editedFrom !== undefined ? ` (edited from #${ex.editedFrom})` : ""} ${safeLine(ex.request.method)} ${safeLine(ex.request.url)} → ${ex.status ?? "no answer"}${v.error ? ` (${safeLine(v.error)})` : ""}`,
      style: "title",
    },
    {
      text: `Signature: ${v.signature.status}${v.signature.header ? ` in ${safeLine(v.signature.header)}` : ""}${v.signature.reason ? ` — ${safeLine(v.signature.reason)}` : ""}`,
      style:
        v.signature.status === "valid"
          ? "ok"
          : v.signature.status === "invalid"
            ? "error"
            : "plain",
    },
  ];
  if (v.validation) {
    lines.push({
      text: `Schema: ${v.validation.valid ? "valid" : `${v.validation.errors.length} error(s)`}`,
      style: v.validation.valid ? "ok" : "error",
    });
    for (const e of v.validation.errors) {
      lines.push({
        text: `  ${safeLine(e.path)}: ${safeLine(e.message)} (expected ${safeLine(String(e.expected))}, got ${safeLine(String(e.actual))})`,
        style: "error",
      });
    }
    for (const w of v.validation.warnings)
      lines.push({ text: `  ${safeLine(w.message)}`, style: "warning" });
  } else {
    lines.push({ text: "Schema: – (not checked)", style: "dim" });
  }
  if (ex.forward) lines.push(...answerLines("App answered", ex.forward));
  if (replay) lines.push(...answerLines("Replay: app answered", replay));
  lines.push({ text: "Headers", style: "section" }, ...headerLines(ex.request.headers));
  lines.push({ text: `Body (${ex.request.body.length} bytes)`, style: "section" });
  lines.push(...bodyLines(ex.request.body.toString("utf8")));
  return lines;
}
