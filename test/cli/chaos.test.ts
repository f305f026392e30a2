import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { VirtualClock } from "../helpers/clock.js";
import { runMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

let server: WebhookServer;
let tmp: ReturnType<typeof tempDir>;
beforeEach(async () => {
  server = await new WebhookServer().start();
  tmp = tempDir();
});
afterEach(async () => {
  await server.stop();
  tmp.cleanup();
});

async function run(argv: string[]) {
  const before = server.requests.length;
  const clock = new VirtualClock();
  const r = await runMain([...argv, "--to", server.url], { clock });
  const ids = server.requests.slice(before).map((q) => JSON.parse(q.body.toString()).event_id);
  return { ...r, ids, clock };
}

describe("--chaos", { timeout: 20_000 }, () => {
  it("scenario: the same seed gives the same order, copies and delays, shown in the output", async () => {
    const args = [
      "scenario",
      "lifecycle",
      "--chaos",
      "duplicate=0.5,reorder=3,jitter=200ms",
      "--seed",
      "42",
    ];
    const a = await run(args);
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(
      /Chaos duplicate=0.5,reorder=3,jitter=200ms, seed 42: \d+ deliveries, \d+ copies/,
    );
    const b = await run(args);
    expect(b.ids).toEqual(a.ids);
    expect(b.clock.sleeps).toEqual(a.clock.sleeps);
    expect(a.stderr.match(/order: .*/)?.[0]).toBe(b.stderr.match(/order: .*/)?.[0]);
    expect(a.ids.length).toBeGreaterThan(5);
  });

  it("replay: a folder of events disturbed reproducibly", async () => {
    const dir = join(tmp.dir, "events");
    mkdirSync(dir);
    for (let i = 0; i < 12; i++) {
      const id = `whev_${String(i).padStart(17, "0")}`;
      writeFileSync(
        join(dir, `e${String(i).padStart(2, "0")}.json`),
        JSON.stringify({ event_id: id }),
      );
    }
    const args = ["replay", dir, "--chaos", "duplicate=0.2,reorder=4,jitter=1s", "--seed", "9"];
    const a = await run(args);
    expect(a.code).toBe(0);
    expect(a.stderr).toContain("Seed 9");
    expect(a.stderr).toMatch(/Chaos duplicate=0.2,reorder=4,jitter=1000ms, seed 9: \d+ deliveries/);
    expect(new Set(a.ids).size).toBe(12);
    expect(a.ids).not.toEqual([...a.ids].sort());
    const b = await run(args);
    expect(b.ids).toEqual(a.ids);
    expect(b.clock.sleeps).toEqual(a.clock.sleeps);
    expect(a.clock.sleeps.every((ms) => ms <= 1000)).toBe(true);
  });

  it("a bad spec is a usage error", async () => {
    const r = await run(["replay", tmp.dir, "--chaos", "reordr=2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "reorder"?');
  });
});
