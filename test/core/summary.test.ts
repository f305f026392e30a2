import { describe, expect, it } from "vitest";
import { type DeliveryResult, SummaryBuilder } from "../../src/core/delivery/results.js";

const result = (duration_ms: number, status: number | null = 200): DeliveryResult => ({
  event_type: "whitelabel-ticket-created",
  event_id: null,
  method: "POST",
  url: "http://127.0.0.1/",
  status,
  ok: status !== null && status < 300,
  attempts: 1,
  duration_ms,
  error: status === null ? "refused" : null,
  response_body: null,
  response_headers: null,
});

describe("SummaryBuilder", () => {
  it("counts outcomes and gives percentiles within 1%", () => {
    const summary = new SummaryBuilder();
    for (let ms = 1; ms <= 1000; ms++) summary.add(result(ms));
    summary.add(result(5, 500));
    summary.add(result(5, null));
    const s = summary.build(2000);
    expect(s).toMatchObject({
      sent: 1002,
      ok: 1000,
      non_2xx: 1,
      errors: 1,
      requests_per_second: 501,
    });
    expect(Math.abs(s.p50_ms - 500) / 500).toBeLessThanOrEqual(0.011);
    expect(Math.abs(s.p90_ms - 900) / 900).toBeLessThanOrEqual(0.011);
    expect(s.p99_ms).toBeLessThanOrEqual(1000);
    expect(Math.abs(s.p99_ms - 990) / 990).toBeLessThanOrEqual(0.011);
  });

  it("is all zeros when empty", () => {
    expect(new SummaryBuilder().build(0)).toMatchObject({
      sent: 0,
      p50_ms: 0,
      p99_ms: 0,
      requests_per_second: 0,
    });
  });
});
