import { describe, expect, it } from "vitest";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import { RequestLog } from "../../src/core/exchanges/request-log.js";
import { receive } from "../../src/core/receiving/receive.js";

const MB = 1024 * 1024;
const VERDICT = receive(
  {
    method: "POST",
    url: "/",
    headers: { "content-type": "application/json" },
    body: Buffer.from("{}"),
  },
  {},
);

function exchange(seq: number, bytes: number): Exchange {
  const request = {
    method: "POST",
    url: "/",
    headers: { "content-type": "application/json" },
    body: Buffer.alloc(bytes, 0x20),
  };
  return {
    seq,
    receivedAt: new Date(0),
    request,
    verdict: VERDICT,
    status: 200,
    forward: null,
    aborted: false,
  };
}

describe("the request log is bounded by bytes", () => {
  it("250 requests of 1 MB: at most 64 MB of bodies held, older rows kept as summaries", () => {
    const log = new RequestLog(1000);
    for (let i = 1; i <= 250; i++) log.add(exchange(i, MB));
    expect(log.heldBytes).toBeLessThanOrEqual(64 * MB);
    const rows = log.entries;
    expect(rows).toHaveLength(250);
    expect(rows[0]).toMatchObject({ seq: 1, summary: { bodyBytes: MB } });
    expect(rows[0]?.request.body.length).toBe(0);
    expect(rows[249]?.request.body.length).toBe(MB);
    expect(rows[249]?.summary).toBeUndefined();
    expect(log.counters.received).toBe(250);
  });

  it("the count limit and the byte limit together: bytes stay accounted as rows are dropped", () => {
    const log = new RequestLog(10, 5 * 1000);
    for (let i = 1; i <= 100; i++) log.add(exchange(i, 1000));
    expect(log.entries.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 91 + i));
    expect(log.heldBytes).toBe(5 * 1000);
    expect(log.entries.filter((e) => e.summary === undefined)).toHaveLength(5);
  });

  it("a single request larger than the limit is still kept whole (the newest row)", () => {
    const log = new RequestLog(10, 100);
    log.add(exchange(1, 1000));
    expect(log.entries[0]?.request.body.length).toBe(1000);
  });
});
