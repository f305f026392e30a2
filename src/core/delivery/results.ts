import { round } from "./stats.js";

/** What happened to one event sent to the receiver (after its retries). */
export interface DeliveryResult {
  event_type: string | null;
  event_id: string | null;
  /** POST for deliveries; a scenario's probe may use another method. */
  method: string;
  /** The scenario step it belongs to. */
  step?: string;
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

// Durations go into logarithmic buckets 1% wide (0.01 ms to about an hour): percentiles in
// constant memory, however many deliveries a run makes, within 1%.
const BUCKET_GROWTH = Math.log(1.01);
const BUCKET_FLOOR_MS = 0.01;
const BUCKETS = 2400;

function bucketOf(ms: number): number {
  if (ms <= BUCKET_FLOOR_MS) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / BUCKET_FLOOR_MS) / BUCKET_GROWTH));
}

const bucketValue = (index: number): number => BUCKET_FLOOR_MS * Math.exp(index * BUCKET_GROWTH);

/** Accumulates the summary as results arrive, in constant memory. */
export class SummaryBuilder {
  private readonly buckets = new Uint32Array(BUCKETS);
  private count = 0;
  private max = 0;
  private ok = 0;
  private non2xx = 0;
  private errors = 0;

  add(result: DeliveryResult): void {
    this.count++;
    const bucket = bucketOf(result.duration_ms);
    this.buckets[bucket] = (this.buckets[bucket] ?? 0) + 1;
    if (result.duration_ms > this.max) this.max = result.duration_ms;
    if (result.ok) this.ok++;
    else if (result.status === null) this.errors++;
    else this.non2xx++;
  }

  /** Nearest-rank percentile, to within 1%, never above the largest duration seen. */
  private percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i] as number;
      if (seen >= rank) return Math.min(bucketValue(i), this.max);
    }
    return this.max;
  }

  build(wallMs: number): DeliverySummary {
    return {
      sent: this.count,
      ok: this.ok,
      non_2xx: this.non2xx,
      errors: this.errors,
      p50_ms: round(this.percentile(50)),
      p90_ms: round(this.percentile(90)),
      p99_ms: round(this.percentile(99)),
      duration_ms: round(wallMs),
      requests_per_second: wallMs > 0 ? round((this.count * 1000) / wallMs) : 0,
    };
  }
}

/** The most UTF-8 bytes `response_body` holds, the "…" that marks a cut included. */
export const RESPONSE_BODY_LIMIT = 2048;

/** The start of a body, at most RESPONSE_BODY_LIMIT bytes of UTF-8, cut between characters. */
export function truncateBody(body: string): string {
  // A UTF-8 byte count is at most 3 per UTF-16 unit: short bodies need no encoding.
  if (body.length * 3 <= RESPONSE_BODY_LIMIT) return body;
  const bytes = Buffer.from(body, "utf8");
  if (bytes.length <= RESPONSE_BODY_LIMIT) return body;
  let cut = RESPONSE_BODY_LIMIT - 3; // room for "…" (3 bytes)
  while (cut > 0 && ((bytes[cut] as number) & 0xc0) === 0x80) cut--;
  return `${bytes.subarray(0, cut).toString("utf8")}…`;
}
