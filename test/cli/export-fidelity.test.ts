import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import { receive } from "../../src/core/receiving/receive.js";
import { exchangeLine } from "../../src/core/recording/line-encoder.js";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

function line(body: string, seq = 1): string {
  const request = {
    method: "POST",
    url: "/",
    headers: { "content-type": "application/json" },
    body: Buffer.from(body),
  };
  const verdict = receive(request, {});
  const ex: Exchange = {
    seq,
    receivedAt: new Date(0),
    request,
    verdict,
    status: verdict.status,
    forward: null,
    aborted: false,
  };
  return exchangeLine(ex);
}

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

function exportOf(bodies: string[]) {
  const file = join(tmp.dir, "events.ndjson");
  writeFileSync(file, bodies.map((b, i) => `${line(b, i + 1)}\n`).join(""));
  const out = join(tmp.dir, "out");
  return { file, out, run: () => runMain(["export", file, "--out", out], { cwd: tmp.dir }) };
}

describe("export never changes a value", () => {
  it("keeps big integers, 1.0, key order and duplicate keys", async () => {
    const body =
      '{"event_type":"x","event_id":"e1","9":1,"n":12345678901234567890,"f":1.0,"d":1,"d":2}';
    const { out, run } = exportOf([body]);
    const result = await run();
    expect(result.code).toBe(0);
    const text = readFileSync(join(out, "x-e1.json"), "utf8");
    expect(text).toContain('"n": 12345678901234567890');
    expect(text).toContain('"f": 1.0');
    expect(text.indexOf('"9"')).toBeGreaterThan(text.indexOf('"event_id"'));
    expect(text.match(/"d"/g)).toHaveLength(2);
  });

  it("safe, unique names: a/b vs a_b, .., 300 characters, repeated deliveries", async () => {
    const ev = (type: string, id: string) => JSON.stringify({ event_type: type, event_id: id });
    const { out, run } = exportOf([
      ev("a/b", "1"),
      ev("a_b", "1"),
      ev("..", "."),
      ev("t".repeat(300), "1"),
      ev("dup", "same"),
      ev("dup", "same"),
      ev("dup", "same"),
    ]);
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/exists, skipped/);
    const names = readdirSync(out);
    expect(names).toHaveLength(7);
    expect(names.filter((n) => n.startsWith("."))).toEqual([]);
    expect(names).toEqual(
      expect.arrayContaining(["dup-same.json", "dup-same-2.json", "dup-same-3.json"]),
    );
    for (const n of names) expect(Buffer.byteLength(n)).toBeLessThanOrEqual(255);
  });

  it("a hostile record is skipped with a warning, the rest exported", async () => {
    const deep = `{"event_type":"deep","event_id":"d","x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const { file, out } = exportOf([deep, '{"event_type":"ok","event_id":"1"}']);
    // The listener turns it away (400, too deep); asked for, export still bounds its depth.
    const args = ["export", file, "--out", out, "--include-rejected"];
    const result = await runMain(args, { cwd: tmp.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/:1: the body is nested deeper than 1000 levels, skipped/);
    expect(readdirSync(out)).toEqual(["ok-1.json"]);
  });

  it("captured placeholders stay data: exported then sent, the secret is not expanded", async () => {
    const body =
      '{"event_type":"whitelabel-ticket-created","event_id":"e9","title":"{{env.TICKET_HOOKS_SECRET}}"}';
    const { out, run } = exportOf([body]);
    expect((await run()).code).toBe(0);
    const file = join(out, "whitelabel-ticket-created-e9.json");
    expect(readFileSync(file, "utf8")).toContain('"{{{{env.TICKET_HOOKS_SECRET}}"');
    const server = new WebhookServer();
    await server.start();
    try {
      const sent = await runMain(["send", file, "--to", server.url, "--skip-validation"], {
        env: { TICKET_HOOKS_SECRET: "s3cr3t-value" },
        cwd: tmp.dir,
      });
      expect(sent.stderr).not.toContain("s3cr3t-value");
      const received = server.requests[0]?.body.toString("utf8") ?? "";
      expect(received).toContain("{{env.TICKET_HOOKS_SECRET}}");
      expect(received).not.toContain("s3cr3t-value");
    } finally {
      await server.stop();
    }
  });
});
