import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateEvent } from "../../src/core/validation/validate.js";
import { runMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

let server: WebhookServer;
beforeEach(async () => {
  server = await new WebhookServer().start();
});
afterEach(async () => {
  await server.stop();
});

describe("send --vary", { timeout: 20_000 }, () => {
  it("sends 50 valid, unusual events; the same seed sends the same bytes", async () => {
    const argv = [
      "send",
      "created",
      "--to",
      server.url,
      "--secret",
      "s",
      "--vary",
      "50",
      "--seed",
      "7",
      "--quiet",
    ];
    const a = await runMain(argv);
    expect(a.code).toBe(0);
    expect(a.stderr).toContain("Seed 7: 50 variant(s) of whitelabel-ticket-created");
    expect(server.requests).toHaveLength(50);
    for (const q of server.requests)
      expect(validateEvent(JSON.parse(q.body.toString())).valid).toBe(true);
    const first = server.requests.map((q) => q.body.toString());
    const b = await runMain(argv);
    expect(b.code).toBe(0);
    expect(server.requests.slice(50).map((q) => q.body.toString())).toEqual(first);
  });

  it("takes exactly one event", async () => {
    const r = await runMain(["send", "created", "updated", "--to", server.url, "--vary", "3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--vary takes exactly one event");
  });
});
