import type { DeliveryResult, DeliverySummary } from "../core/delivery/results.js";
import { jsonSafe, safeBlock, safeLine } from "../terminal/safe-text.js";
import { statusTone } from "../terminal/status-tone.js";
import { BatchedWriter, type Output } from "./output.js";

export interface PrinterOptions {
  verbose?: boolean;
  quiet?: boolean;
  /** Expected number of deliveries, for the progress line; 0 when unknown (a streamed replay). */
  total: number;
}

/** Prints deliveries as they complete (lines or NDJSON), a TTY progress line, and the summary. */
export class DeliveryPrinter {
  private readonly buffer: BatchedWriter;
  private done = 0;
  private failed = 0;
  /** The first failure's one-line cause, for the closing error. */
  firstError: string | null = null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: Output,
    private readonly options: PrinterOptions,
  ) {
    // Result lines never share a terminal line with the progress line: it is cleared first.
    this.buffer = new BatchedWriter(out.io.stdout, () => this.clearProgress());
    if (options.total !== 1 && out.io.stderr.isTTY) {
      this.timer = setInterval(() => this.progress(), 100);
      this.timer.unref();
    }
  }

  private progressShown = false;

  private clearProgress(): void {
    if (!this.progressShown) return;
    this.progressShown = false;
    this.out.io.stderr.write("\r\x1b[K");
  }

  /** Draws the progress line (every 100 ms on a terminal). */
  progress(): void {
    const { total } = this.options;
    this.progressShown = true;
    this.out.io.stderr.write(
      `\r\x1b[K${this.out.e.dim(`sent ${this.done}${total ? `/${total}` : ""}`)}${this.failed ? this.out.e.red(`  ${this.failed} failed`) : ""}`,
    );
  }

  result(r: DeliveryResult): void {
    this.done++;
    if (!r.ok) {
      this.failed++;
      // The cause often quotes the receiver's answer: it is shown (and thrown) sanitised.
      this.firstError ??= r.error === null ? null : safeLine(r.error);
    }
    if (this.out.json) this.buffer.push(this.jsonLine(r));
    else if (!this.options.quiet) for (const line of this.textLines(r)) this.buffer.push(line);
  }

  private jsonLine(r: DeliveryResult): string {
    return jsonSafe(
      JSON.stringify({
        type: "delivery",
        ...(r.step === undefined ? {} : { step: r.step }),
        event_type: r.event_type,
        event_id: r.event_id,
        method: r.method,
        url: r.url,
        status: r.status,
        ok: r.ok,
        attempts: r.attempts,
        duration_ms: r.duration_ms,
        error: r.error,
        response_body: r.response_body,
        ...(this.options.verbose ? { response_headers: r.response_headers } : {}),
      }),
    );
  }

  /** A line per delivery; with --verbose, the answer's headers and body under it. */
  private textLines(r: DeliveryResult): string[] {
    const { c } = this.out;
    const paint = c[statusTone(r.status)];
    const mark = r.ok ? "✓" : "✗";
    const status = r.status === null ? "ERR" : String(r.status);
    const attempts = `${r.attempts} attempt${r.attempts === 1 ? "" : "s"}`;
    // Event types and ids may come from a recording, errors and bodies from the receiver.
    const error = r.error ? `  ${paint(safeLine(r.error))}` : "";
    const type = r.event_type === null ? "(no event_type)" : safeLine(r.event_type);
    const id = r.event_id === null ? "-" : safeLine(r.event_id);
    const step = r.step === undefined ? "" : `${c.bold(safeLine(r.step))}  `;
    const what = r.step !== undefined && r.event_type === null ? "probe" : type;
    const line = `${paint(`${mark} ${status}`)}  ${step}${what}  ${c.dim(id)}  ${r.method} ${safeLine(r.url)}  ${r.duration_ms}ms  ${attempts}${error}`;
    if (!this.options.verbose || !r.response_headers) return [line];
    const headers = Object.entries(r.response_headers).map(([k, v]) => {
      const value = Array.isArray(v) ? v.join(", ") : (v ?? "");
      return c.dim(`    < ${safeLine(k)}: ${safeLine(value)}`);
    });
    const body = r.response_body
      ? [`    ${safeBlock(r.response_body).replace(/\n/g, "\n    ")}`]
      : [];
    return [line, ...headers, ...body];
  }

  summary(s: DeliverySummary, always: boolean): void {
    this.stopProgress();
    if (this.out.json) {
      this.buffer.push(jsonSafe(JSON.stringify({ type: "summary", ...s })));
    } else if (always || s.sent > 1) {
      const { c } = this.out;
      this.buffer.push(
        `${c.bold("summary")}  sent ${s.sent}  ${c.green(`2xx ${s.ok}`)}  ${s.non_2xx ? c.yellow(`non-2xx ${s.non_2xx}`) : `non-2xx 0`}  ${s.errors ? c.red(`errors ${s.errors}`) : "errors 0"}  p50 ${s.p50_ms}ms  p90 ${s.p90_ms}ms  p99 ${s.p99_ms}ms  ${s.requests_per_second} req/s`,
      );
    }
    this.buffer.flush();
  }

  stopProgress(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.clearProgress();
  }
}
