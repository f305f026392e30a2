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

/** The signature's verdict: valid (and in which header), not checked, or failed. */
function signatureText(v: Exchange["verdict"], c: Paint): string {
  const header = v.signature.header;
  if (v.signature.status === "valid") return c.green(`sig ✓ ${safeLine(header ?? "")}`);
  if (v.signature.status === "skipped") return c.dim("sig -");
  return c.red(`sig ✗${header ? ` ${safeLine(header)}` : ""}`);
}

/** What the app answered when the event was forwarded. */
function forwardText(forward: NonNullable<Exchange["forward"]>, c: Paint): string {
  if (forward.status === null) return c.red(`→ app failed: ${safeLine(forward.error ?? "")}`);
  return statusColor(c, forward.status)(`→ app ${forward.status} ${forward.duration_ms}ms`);
}

/** The event's validation errors and warnings, one indented line each. */
function validationLines(v: Exchange["verdict"], c: Paint): string[] {
  const errors = (v.validation?.errors ?? []).map(
    (e) =>
      `    ${c.red("error")} ${safeLine(`${e.path}: ${e.message} (expected ${e.expected}, got ${e.actual})`)}`,
  );
  const warnings = (v.validation?.warnings ?? []).map(
    (w) => `    ${c.yellow("warning")} ${safeLine(w.message)}`,
  );
  return [...errors, ...warnings];
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
    // Why it was cut (400 malformed, 408 timed out, the client left), as the adapter said.
    const why =
      v.error !== null
        ? safeLine(v.error)
        : `client disconnected after ${req.receivedBytes ?? req.body.length} bytes of the body`;
    return [`${head}  ${c.red(why)}`];
  }
  const sig = signatureText(v, c);
  if (v.rejected && !v.validation) {
    return [`${head}  ${sig}  ${c.red(safeLine(v.error ?? "rejected"))}`];
  }
  const parts = [
    head,
    sig,
    v.validation?.valid ? c.green("schema ✓") : c.red("schema ✗"),
    c.bold(v.eventType === null ? "(no event_type)" : safeLine(v.eventType)),
    c.dim(v.eventId === null ? "-" : safeLine(v.eventId)),
    v.title === null ? "" : safeLine(JSON.stringify(v.title)),
    ex.forward ? forwardText(ex.forward, c) : "",
    v.filtered ? c.dim("(filtered)") : "",
  ];
  return [parts.filter(Boolean).join("  "), ...validationLines(v, c)];
}

export function summaryLine(counters: Counters): string {
  const c = counters;
  return `received ${c.received}, valid ${c.valid}, invalid ${c.invalid}, rejected ${c.rejected}, forwarded ${c.forwarded}${c.filtered ? `, filtered ${c.filtered}` : ""}`;
}

export function printExchange(out: Output, ex: Exchange): void {
  for (const line of exchangeLines(ex, out.c)) out.line(line);
}
