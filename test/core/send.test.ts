import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { send, verify } from "../../src/index.js";
import { fixedClock } from "../helpers/clock.js";
import { WebhookServer } from "../helpers/webhook-server.js";

let server: WebhookServer;
beforeEach(async () => {
  server = await new WebhookServer().start();
});
afterEach(() => server.stop());

describe("send() library API", () => {
  it("returns one result per delivery and signs with the given clock", async () => {
    const seen: string[] = [];
    const { results, summary } = await send(
      { events: ["created", "resolved"], to: server.url, secret: "s3cret" },
      { clock: fixedClock(1700000000), onResult: (r) => seen.push(r.event_type ?? "") },
    );
    expect(results.map((r) => [r.event_type, r.status, r.ok, r.attempts])).toEqual([
      ["whitelabel-ticket-created", 200, true, 1],
      ["whitelabel-ticket-resolved", 200, true, 1],
    ]);
    expect(seen).toEqual(["whitelabel-ticket-created", "whitelabel-ticket-resolved"]);
    expect(summary).toMatchObject({ sent: 2, ok: 2, errors: 0 });
    const req = server.requests[0];
    const check = verify("s3cret", req?.body ?? "", String(req?.headers["x-signature"]), {
      now: 1700000000,
    });
    expect(check.ok).toBe(true);
  });

  it("throws a TicketHooksError for an invalid event before sending anything", async () => {
    await expect(
      send({
        events: ["assigned"],
        to: server.url,
        overrides: { set: [["data.ticket.teammate_id", null]] },
      }),
    ).rejects.toThrow(/made the whitelabel-ticket-assigned .* invalid/);
    expect(server.requests).toHaveLength(0);
  });
});
