import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import { receive } from "../../src/core/receiving/receive.js";
import { exchangeLine } from "../../src/core/recording/line-encoder.js";
import { tempDir } from "../helpers/cli.js";
import { VirtualClock } from "../helpers/clock.js";
import { runMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

function line(body: string, at: number, seq = 1): string {
  const request = {
    method: "POST",
    url: "/",
    headers: { "content-type": "application/json" },
    body: Buffer.from(body),
  };
  const verdict = receive(request, {});
  const ex: Exchange = {
    seq,
    receivedAt: new Date(at),
    request,
    verdict,
    status: verdict.status,
    forward: null,
    aborted: false,
  };
  return exchangeLine(ex);
}

let tmp: ReturnType<typeof tempDir>;
let server: WebhookServer;
beforeEach(async () => {
  tmp = tempDir();
  server = await new WebhookServer().start();
});
afterEach(async () => {
  await server.stop();
  tmp.cleanup();
});

const DAY = 24 * 3600 * 1000;

describe("replay: bounded input, long waits", () => {
  it("replay /dev/zero ends with exit 2 at its first byte", async () => {
    const result = await runMain(["replay", "/dev/zero", "--to", server.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\/dev\/zero is not a recording: a NUL byte at byte 0/);
  });

  it("a line over --max-line is skipped with a warning naming it; the next is sent", async () => {
    const file = join(tmp.dir, "long.ndjson");
    writeFileSync(
      file,
      [
        line(JSON.stringify({ event_type: "a", pad: "x".repeat(5000) }), 0),
        line('{"event_type":"b"}', 0, 2),
      ].join("\n"),
    );
    const result = await runMain(["replay", file, "--to", server.url, "--max-line", "1000"]);
    expect(result.stderr).toMatch(
      /long\.ndjson:1: line longer than 1000 bytes \(--max-line\), skipped/,
    );
    expect(server.requests.map((r) => r.body.toString())).toEqual(['{"event_type":"b"}']);
  });

  it("--delay 3000000000 and --timing original over a 59-day gap wait the whole time", async () => {
    const file = join(tmp.dir, "gap.ndjson");
    writeFileSync(
      file,
      `${[line('{"event_type":"a"}', 0), line('{"event_type":"b"}', 59 * DAY, 2)].join("\n")}\n`,
    );
    const delayed = new VirtualClock();
    await runMain(["replay", file, "--to", server.url, "--delay", "3000000000"], {
      clock: delayed,
    });
    expect(delayed.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3_000_000_000 - 1000);
    const original = new VirtualClock();
    await runMain(["replay", file, "--to", server.url, "--timing", "original"], {
      clock: original,
    });
    expect(original.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(59 * DAY - 1000);
    expect(server.requests).toHaveLength(4);
  });

  it("the system clock waits past 2^31 ms in steps, without a TimeoutOverflowWarning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    const abort = new AbortController();
    // The warning is raised as the timer is created, and emitted on the next tick.
    const sleeping = systemClock.sleep(3_000_000_000, abort.signal);
    await new Promise((r) => setImmediate(r));
    abort.abort();
    await sleeping;
    process.off("warning", onWarning);
    expect(warnings).not.toContain("TimeoutOverflowWarning");
  });
});
