import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freshen } from "../../src/core/events/freshen.js";
import { PAYLOADS } from "../helpers/cli.js";

const updated = () =>
  JSON.parse(readFileSync(join(PAYLOADS, "whitelabel-ticket-updated.json"), "utf8"));
let n = 0;
const entropy = {
  now: () => 2_000_000_000,
  eventId: () => "whev_freshfreshfresh1",
  uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
};

type Ticket = {
  created_at: number;
  updated_at: number;
  id: string;
  replies: Array<{ id: string; created_at: number }>;
};

describe("freshen (--fresh, --new-ticket)", () => {
  it("a new event_id, every timestamp moved by one shift so the newest is now", () => {
    const before = updated();
    const after = freshen(before, { entropy }) as typeof before;
    const t0 = before.data.ticket as Ticket;
    const t1 = after.data.ticket as Ticket;
    expect(after.event_id).toBe("whev_freshfreshfresh1");
    const stamps = (t: Ticket, reply: { created_at: number }) => [
      t.created_at,
      t.updated_at,
      ...t.replies.map((r) => r.created_at),
      reply.created_at,
    ];
    const old = stamps(t0, before.data.reply);
    const fresh = stamps(t1, after.data.reply);
    expect(Math.max(...fresh)).toBe(2_000_000_000);
    const shift = 2_000_000_000 - Math.max(...old);
    expect(fresh).toEqual(old.map((s) => s + shift)); // order and gaps kept
    expect(t1.id).toBe(t0.id); // the ticket is the same without --new-ticket
    expect(before).toEqual(updated()); // the input is not changed
  });

  it("--new-ticket renews the ticket and reply ids; data.reply stays the same reply", () => {
    const before = updated();
    const after = freshen(before, { entropy, newTicket: true }) as typeof before;
    const ids = [
      after.data.ticket.id,
      ...after.data.ticket.replies.map((r: { id: string }) => r.id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^00000000-0000-4000-8000-/);
    expect(after.data.reply).toEqual(after.data.ticket.replies.at(-1));
  });

  it("leaves what is not an object alone, and an event without timestamps keeps its fields", () => {
    expect(freshen("text", { entropy })).toBe("text");
    expect(freshen({ event_id: "x", data: { other: 1 } }, { entropy })).toEqual({
      event_id: "whev_freshfreshfresh1",
      data: { other: 1 },
    });
  });
});
