import type { Exchange, ForwardResult } from "../core/exchanges/exchange.js";
import { laidOutJson, MAX_LAYOUT_DEPTH } from "../core/json-indent.js";
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

const textLines = (text: string, style: LineStyle): DetailLine[] =>
  text.split("\n").map((line) => ({ text: safeLine(line), style }));

/** Pretty JSON when the text parses (every token as written), else the text; one safe line each. */
function bodyLines(text: string): DetailLine[] {
  const laidOut = laidOutJson(text);
  if (laidOut === null) return textLines(text, "plain");
  if ("text" in laidOut) return textLines(laidOut.text, "json");
  const why = `  (nested deeper than ${MAX_LAYOUT_DEPTH} levels: shown as it came)`;
  return [{ text: why, style: "dim" }, ...textLines(text, "plain")];
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

function titleLine(ex: Exchange): DetailLine {
  const edited =
    ex.editedFrom === undefined
      ? ""
      : ` (${ex.replayed ? "replay of" : "edited from"} #${ex.editedFrom})`;
  const error = ex.verdict.error ? ` (${safeLine(ex.verdict.error)})` : "";
  return {
    text: `#${ex.seq}${edited} ${safeLine(ex.request.method)} ${safeLine(ex.request.url)} → ${ex.status ?? "no answer"}${error}`,
    style: "title",
  };
}

function signatureLine({ signature }: Exchange["verdict"]): DetailLine {
  const header = signature.header ? ` in ${safeLine(signature.header)}` : "";
  const reason = signature.reason ? ` — ${safeLine(signature.reason)}` : "";
  const style =
    signature.status === "valid" ? "ok" : signature.status === "invalid" ? "error" : "plain";
  return { text: `Signature: ${signature.status}${header}${reason}`, style };
}

/** The schema's verdict, then each error and warning. */
function validationLines({ validation }: Exchange["verdict"]): DetailLine[] {
  if (!validation) return [{ text: "Schema: – (not checked)", style: "dim" }];
  return [
    {
      text: `Schema: ${validation.valid ? "valid" : `${validation.errors.length} error(s)`}`,
      style: validation.valid ? "ok" : "error",
    },
    ...validation.errors.map(
      (e): DetailLine => ({
        text: `  ${safeLine(e.path)}: ${safeLine(e.message)} (expected ${safeLine(String(e.expected))}, got ${safeLine(String(e.actual))})`,
        style: "error",
      }),
    ),
    ...validation.warnings.map(
      (w): DetailLine => ({ text: `  ${safeLine(w.message)}`, style: "warning" }),
    ),
  ];
}

export function detailsLines(ex: Exchange, replay?: ForwardResult): DetailLine[] {
  return [
    titleLine(ex),
    signatureLine(ex.verdict),
    ...validationLines(ex.verdict),
    ...(ex.forward ? answerLines("App answered", ex.forward) : []),
    ...(replay ? answerLines("Replay: app answered", replay) : []),
    { text: "Headers", style: "section" },
    ...headerLines(ex.request.headers),
    { text: `Body (${ex.request.body.length} bytes)`, style: "section" },
    ...bodyLines(ex.request.body.toString("utf8")),
  ];
}
