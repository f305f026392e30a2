import type { Exchange } from "../core/exchanges/exchange.js";
import type { Counters } from "../core/exchanges/request-log.js";
import { safeLine } from "../terminal/safe-text.js";
import { statusTone } from "../terminal/status-tone.js";
import type { Output, Paint } from "./output.js";

function time(d: Date): string {
  return d.toTimeString().slice(0, 8);
}

function statusColor(c: Paint, status: number | null): (s: string) => string {
  return c[statusTone(status)];
}

/**
 * One line for an exchange (plus indented validation errors), for logs and non-TTY output. Every
 * field from the request (path, method, headers, event type, id, title, errors) is outside text
 * and passes safeLine before our colours are added.
 */
export function exchangeLines(ex: Exchange, c: Paint): string[] {
  const v = ex.verdict;
  const req = ex.request;
  const status = ex.status === null ? "---" : String(ex.status);
  const head = `${c.dim(time(ex.receivedAt))} ${safeLine(req.method)} ${safeLine(req.url)}  ${statusColor(c, ex.status)(status)}`;
  if (ex.aborted) {
    return [`${head}  ${c.red(`client disconnected after ${req.body.length} bytes of the body`)}`];
  }
  const sig =
    v.signature.status === "valid"
      ? c.green(`sig ✓ ${safeLine(v.signature.header ?? "")}`)
      : v.signature.status === "skipped"
        ? c.dim("sig -")
        : c.red(`sig ✗${v.signature.header ? ` ${safeLine(v.signature.header)}` : ""}`);
  if (v.rejected && !v.validation)
    return [`${head}  ${sig}  ${c.red(safeLine(v.error ?? "rejected"))}`];
  const schema = v.validation?.valid ? c.green("schema ✓") : c.red("schema ✗");
  const parts = [
    head,
    sig,
    schema,
    c.bold(v.eventType === null ? "(no event_type)" : safeLine(v.eventType)),
    c.dim(v.eventId === null ? "-" : safeLine(v.eventId)),
    v.title === null ? "" : safeLine(JSON.stringify(v.title)),
  ];
  if (ex.forward) {
    parts.push(
      ex.forward.status === null
        ? c.red(`→ app failed: ${safeLine(ex.forward.error ?? "")}`)
        : statusColor(
            c,
            ex.forward.status,
          )(`→ app ${ex.forward.status} ${ex.forward.duration_ms}ms`),
    );
  }
  if (v.filtered) parts.push(c.dim("(filtered)"));
  const lines = [parts.filter(Boolean).join("  ")];
  for (const e of v.validation?.errors ?? []) {
    lines.push(
      `    ${c.red("error")} ${safeLine(`${e.path}: ${e.message} (expected ${e.expected}, got ${e.actual})`)}`,
    );
  }
  for (const w of v.validation?.warnings ?? [])
    lines.push(`    ${c.yellow("warning")} ${safeLine(w.message)}`);
  return lines;
}

export function summaryLine(counters: Counters): string {
  const c = counters;
  return `received ${c.received}, valid ${c.valid}, invalid ${c.invalid}, rejected ${c.rejected}, forwarded ${c.forwarded}${c.filtered ? `, filtered ${c.filtered}` : ""}`;
}

export function printExchange(out: Output, ex: Exchange): void {
  for (const line of exchangeLines(ex, out.c)) out.line(line);
}
