import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PLATFORM_RETRY_DELAYS_S } from "../../src/core/delivery/retry-schedule.js";
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

describe("send --retry-schedule platform", { timeout: 20_000 }, () => {
  it("spans up to three days of exponential back-off, compressed by --speed, in virtual time", async () => {
    const total = PLATFORM_RETRY_DELAYS_S.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(3 * 86_400);
    expect(total).toBeGreaterThan(2 * 86_400);
    for (let i = 1; i < PLATFORM_RETRY_DELAYS_S.length; i++)
      expect(PLATFORM_RETRY_DELAYS_S[i]).toBeGreaterThanOrEqual(
        PLATFORM_RETRY_DELAYS_S[i - 1] as number,
      );

    server.respond((_req, _i, res) => {
      res.statusCode = 400; // the platform retries any error answer, not only 5xx
      res.end("no");
    });
    const clock = new VirtualClock();
    const r = await runMain(
      [
        "send",
        "created",
        "--to",
        server.url,
        "--secret",
        "s",
        "--retry-schedule",
        "platform",
        "--speed",
        "1000",
      ],
      { clock },
    );
    expect(r.code).toBe(1);
    expect(server.requests).toHaveLength(1 + PLATFORM_RETRY_DELAYS_S.length);
    expect(clock.sleeps).toEqual(PLATFORM_RETRY_DELAYS_S.map((s) => s));
    const ids = new Set(server.requests.map((q) => JSON.parse(q.body.toString()).event_id));
    expect(ids.size).toBe(1);
    expect(r.stderr).toContain(
      "Retries on the platform's schedule (our assumption), 1000× faster: 60ms, 300ms",
    );
  });

  it("stops retrying at the first 2xx", async () => {
    server.respond((_req, index, res) => {
      res.statusCode = index < 2 ? 503 : 200;
      res.end("{}");
    });
    const clock = new VirtualClock();
    const r = await runMain(
      ["send", "created", "--to", server.url, "--retry-schedule", "platform", "--speed", "60"],
      { clock },
    );
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 5000]);
  });
});
