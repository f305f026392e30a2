import { percentile, round } from "./stats.js";

/** What happened to one event sent to the receiver (after its retries). */
export interface DeliveryResult {
  event_type: string | null;
  event_id: string | null;
  method: "POST";
  url: string;
  /** The receiver's last HTTP status; null when no answer came. */
  status: number | null;
  /** 2xx. */
  ok: boolean;
  attempts: number;
  /** From the first attempt to the final answer, back-off included. */
  duration_ms: number;
  /** Why it failed, in one line; null on success. */
  error: string | null;
  /** The start of the last response body (2 KiB at most). */
  response_body: string | null;
  response_headers: Record<string, string | string[] | undefined> | null;
}

export interface DeliverySummary {
  sent: number;
  ok: number;
  non_2xx: number;
  errors: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  duration_ms: number;
  requests_per_second: number;
}

/** Accumulates the summary as results arrive, without keeping the results themselves. */
export class SummaryBuilder {
  private readonly durations: number[] = [];
  private ok = 0;
  private non2xx = 0;
  private errors = 0;

  add(result: DeliveryResult): void {
    this.durations.push(result.duration_ms);
    if (result.ok) this.ok++;
    else if (result.status === null) this.errors++;
    else this.non2xx++;
  }

  build(wallMs: number): DeliverySummary {
    const sorted = this.durations.sort((a, b) => a - b);
    return {
      sent: sorted.length,
      ok: this.ok,
      non_2xx: this.non2xx,
      errors: this.errors,
      p50_ms: round(percentile(sorted, 50)),
      p90_ms: round(percentile(sorted, 90)),
      p99_ms: round(percentile(sorted, 99)),
      duration_ms: round(wallMs),
      requests_per_second: wallMs > 0 ? round((sorted.length * 1000) / wallMs) : 0,
    };
  }
}

export const RESPONSE_BODY_LIMIT = 2048;

export function truncateBody(body: string): string {
  if (body.length <= RESPONSE_BODY_LIMIT) return body;
  return `${body.slice(0, RESPONSE_BODY_LIMIT)}…`;
}
