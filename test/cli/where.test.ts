import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { matchesWhere, parseWhere } from "../../src/core/events/where.js";
import { PAYLOADS } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { runMain, startMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const template = JSON.parse(
  readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json"), "utf8"),
) as { event_id: string; data: { ticket: { id: string; priority?: unknown } } };

function event(n: number, ticket: string): string {
  const value = structuredClone(template);
  value.event_id = `whev_where${n}`;
  value.data.ticket.id = ticket;
  return JSON.stringify(value);
}

let dir: string;
let app: WebhookServer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "where-"));
  app = await new WebhookServer().start();
});
afterEach(async () => {
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A recording of 4 deliveries: tickets A, B, A, and a body that is not JSON. */
async function record(): Promise<string> {
  const file = join(dir, "rec.ndjson");
  const main = startMain(["listen", "--port", "0", "--json", "--record", file]);
  const [, url] = (await main.waitFor(/"url":"([^"]+)"/, "stdout")) as string[];
  const headers = { "content-type": "application/json" };
  for (const [n, t] of [
    [1, "tkt_A"],
    [2, "tkt_B"],
    [3, "tkt_A"],
  ] as const) {
    await post(url as string, event(n, t), headers);
  }
  await post(url as string, "not json", headers);
  main.signals.send("SIGINT");
  await main.done;
  return file;
}

describe("--where PATH=VALUE", () => {
  it("matches strings as typed and other values as JSON", () => {
    const e = { data: { ticket: { id: "tkt_1", priority: 3, open: false, tags: ["x"] } } };
    expect(matchesWhere(e, [parseWhere("data.ticket.id=tkt_1")])).toBe(true);
    expect(matchesWhere(e, [parseWhere("data.ticket.priority=3")])).toBe(true);
    expect(matchesWhere(e, [parseWhere("data.ticket.open=false")])).toBe(true);
    expect(matchesWhere(e, [parseWhere('data.ticket.tags=["x"]')])).toBe(true);
    expect(matchesWhere(e, [parseWhere("data.ticket.tags[0]=x")])).toBe(true);
    expect(matchesWhere(e, [parseWhere("data.ticket.priority=4")])).toBe(false);
    expect(matchesWhere(e, [parseWhere("data.missing=x")])).toBe(false);
    expect(() => parseWhere("no-equals")).toThrow(/expected PATH=VALUE/);
  });

  it("replay sends only the deliveries of one ticket", async () => {
    const file = await record();
    const result = await runMain([
      "replay",
      file,
      "--to",
      app.url,
      "--where",
      "data.ticket.id=tkt_A",
    ]);
    expect(result.code).toBe(0);
    expect(app.requests.map((r) => JSON.parse(r.body.toString()).event_id)).toEqual([
      "whev_where1",
      "whev_where3",
    ]);
  });

  it("export writes only the matching events", async () => {
    const file = await record();
    const out = join(dir, "out");
    const result = await runMain(["export", file, "--out", out, "--where", "data.ticket.id=tkt_B"]);
    expect(result.code).toBe(0);
    expect(readdirSync(out)).toEqual(["whitelabel-ticket-created-whev_where2.json"]);
  });

  it("listen shows and forwards only matching events; the others are answered and recorded", async () => {
    const file = join(dir, "live.ndjson");
    const main = startMain([
      "listen",
      "--port",
      "0",
      "--json",
      "--record",
      file,
      "--forward-to",
      app.url,
      "--where",
      "data.ticket.id=tkt_B",
    ]);
    const [, url] = (await main.waitFor(/"url":"([^"]+)"/, "stdout")) as string[];
    const headers = { "content-type": "application/json" };
    expect((await post(url as string, event(1, "tkt_A"), headers)).status).toBe(200);
    await post(url as string, event(2, "tkt_B"), headers);
    main.signals.send("SIGINT");
    await main.done;
    expect(app.requests).toHaveLength(1);
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.event_id, l.filtered])).toEqual([
      ["whev_where1", true],
      ["whev_where2", false],
    ]);
  });

  it("a bad clause is a usage error", async () => {
    writeFileSync(join(dir, "x.ndjson"), "");
    const result = await runMain([
      "replay",
      join(dir, "x.ndjson"),
      "--to",
      app.url,
      "--where",
      "x",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("expected PATH=VALUE");
  });
});
