import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateEvent } from "../../src/core/validation/validate.js";
import { VirtualClock } from "../helpers/clock.js";
import { runMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

let server: WebhookServer;
beforeEach(async () => {
  server = await new WebhookServer().start();
});
afterEach(async () => {
  await server.stop();
});

async function play(name: string, seed: number, extra: string[] = []) {
  const before = server.requests.length;
  const clock = new VirtualClock();
  const r = await runMain(
    ["scenario", name, "--to", server.url, "--secret", "s", "--seed", String(seed), ...extra],
    { clock },
  );
  const events = server.requests.slice(before).map((q) => JSON.parse(q.body.toString()));
  return {
    ...r,
    events,
    clock,
    bodies: server.requests.slice(before).map((q) => q.body.toString()),
  };
}

const LIFECYCLE = [
  "whitelabel-ticket-created",
  "whitelabel-ticket-updated",
  "whitelabel-ticket-assigned",
  "whitelabel-ticket-updated",
  "whitelabel-ticket-resolved",
];

/** [event_id, times delivered in a row] */
function runs(events: Array<{ event_id: string }>): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const e of events) {
    const last = out.at(-1);
    if (last && last[0] === e.event_id) last[1]++;
    else out.push([e.event_id, 1]);
  }
  return out;
}

describe("built-in scenarios", { timeout: 20_000 }, () => {
  it("duplicates: each lifecycle event 2–3 times, same bytes; the seed repeats the run", async () => {
    const a = await play("duplicates", 7);
    expect(a.code).toBe(0);
    expect(a.stderr).toContain("Seed 7");
    const counts = runs(a.events);
    expect(counts).toHaveLength(5);
    for (const [, n] of counts) expect([2, 3]).toContain(n);
    expect(new Set(a.events.map((e) => e.event_type))).toEqual(new Set(LIFECYCLE));
    for (let i = 1; i < a.bodies.length; i++) {
      if (a.events[i].event_id === a.events[i - 1].event_id)
        expect(a.bodies[i]).toBe(a.bodies[i - 1]);
    }
    for (const e of a.events) expect(validateEvent(e).valid).toBe(true);
    const b = await play("duplicates", 7);
    expect(runs(b.events)).toEqual(counts);
    const c = await play("duplicates", 8);
    expect(runs(c.events)).not.toEqual(counts);
  });

  it("out-of-order: the lifecycle shuffled, one ticket, the same order for the same seed", async () => {
    const a = await play("out-of-order", 3);
    expect(a.code).toBe(0);
    const types = a.events.map((e) => e.event_type);
    expect([...types].sort()).toEqual([...LIFECYCLE].sort());
    expect(types).not.toEqual(LIFECYCLE);
    expect(new Set(a.events.map((e) => e.data.ticket.id)).size).toBe(1);
    const b = await play("out-of-order", 3);
    expect(b.events.map((e) => e.event_id)).toEqual(a.events.map((e) => e.event_id));
  });

  it("retry-storm: redeliveries on the platform's back-off, compressed by --speed", async () => {
    const a = await play("retry-storm", 11, ["--speed", "1000"]);
    expect(a.code).toBe(0);
    const perEvent = new Map<string, number>();
    for (const e of a.events) perEvent.set(e.event_id, (perEvent.get(e.event_id) ?? 0) + 1);
    expect(perEvent.size).toBe(5);
    for (const n of perEvent.values()) expect(n).toBeGreaterThanOrEqual(2);
    for (const n of perEvent.values()) expect(n).toBeLessThanOrEqual(4);
    // Virtual time: the storm ends at the last retry, 1, 5 or 30 platform minutes / 1000 later.
    const total = a.clock.sleeps.reduce((s, ms) => s + ms, 0);
    const possible = [0, 1, 2, 3, 4].flatMap((i) => [i + 60, i + 360, i + 2160]);
    expect(possible).toContain(total);
    const slower = await play("retry-storm", 11, ["--speed", "100"]);
    expect(slower.clock.sleeps.reduce((s, ms) => s + ms, 0)).toBeGreaterThan(total * 5);
  });

  it("a mistyped built-in gets a suggestion", async () => {
    const r = await runMain(["scenario", "duplicats", "--to", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'unknown scenario "duplicats" (and no such file) (did you mean "duplicates"?)',
    );
  });
});
