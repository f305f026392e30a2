import { describe, expect, it } from "vitest";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import {
  filterExchanges,
  matchesQuery,
  NO_FILTER,
} from "../../src/core/exchanges/exchange-query.js";
import { receive } from "../../src/core/receiving/receive.js";

function ex(seq: number, body: string, status = 200): Exchange {
  const request = {
    method: "POST",
    url: "/",
    headers: { "content-type": "application/json" },
    body: Buffer.from(body),
  };
  return {
    seq,
    receivedAt: new Date(0),
    request,
    verdict: receive(request, {}),
    status,
    forward: null,
    aborted: false,
  };
}

describe("exchange queries", () => {
  it("search looks at type, title, ids, #seq (any case) and body bytes", () => {
    const e = ex(
      12,
      JSON.stringify({
        event_type: "whitelabel-ticket-created",
        event_id: "whev_ABC",
        data: { ticket: { title: "Printer ON FIRE", id: "tkt_中文" } },
      }),
    );
    for (const q of ["created", "printer on", "whev_abc", "#12", "tkt_中文", "TKT_"]) {
      expect(matchesQuery(e, q), q).toBe(true);
    }
    expect(matchesQuery(e, "nothing")).toBe(false);
  });

  it("no filter gives the same array; verdict filters pick their rows", () => {
    const all = [ex(1, "{"), ex(2, "{}")];
    expect(filterExchanges(all, NO_FILTER)).toBe(all);
    expect(filterExchanges(all, { ...NO_FILTER, verdict: "rejected" }).map((e) => e.seq)).toEqual([
      1,
    ]);
    expect(filterExchanges(all, { ...NO_FILTER, verdict: "invalid" }).map((e) => e.seq)).toEqual([
      2,
    ]);
  });
});
