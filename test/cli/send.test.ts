import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lines, PAYLOADS, tempDir } from "../helpers/cli.js";
import { VirtualClock } from "../helpers/clock.js";
import { signedAt } from "../helpers/hmac.js";
import { runMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const SECRET = "whsec_test_secret";
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

const signatureOk = (body: Buffer, header: unknown, secret = SECRET) =>
  signedAt(body, header, secret);

const template = (name: string) =>
  readFileSync(join(PAYLOADS, `whitelabel-ticket-${name}.json`), "utf8");

describe("send", () => {
  it("POSTs the rendered template as compact JSON, signed, with the documented headers", async () => {
    const r = await runMain(["send", "created", "--to", server.url, "--secret", SECRET]);
    expect(r.code).toBe(0);
    const [req] = server.requests;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/webhooks");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers["user-agent"]).toMatch(/^ticket-hooks\/\d+\.\d+\.\d+/);
    expect(req?.body.toString()).toBe(JSON.stringify(JSON.parse(template("created"))));
    expect(signatureOk(req?.body as Buffer, req?.headers["x-signature"])).not.toBe(false);
    expect(r.stdout).toMatch(
      /✓ 200\s+whitelabel-ticket-created\s+whev_o48n74r1vsv642vex\s+POST http:\/\/127\.0\.0\.1:\d+\/webhooks\s+[\d.]+ms\s+1 attempt/,
    );
    expect(r.stderr).toContain("Using template");
    expect(r.stderr).not.toContain(SECRET);
  });

  it("takes the secret and URL from the environment and a custom signature header", async () => {
    const r = await runMain(["send", "resolved", "--signature-header", "X-Tamio-Signature"], {
      env: { TICKET_HOOKS_SECRET: SECRET, TICKET_HOOKS_URL: server.url },
    });
    expect(r.code).toBe(0);
    const req = server.requests[0];
    expect(signatureOk(req?.body as Buffer, req?.headers["x-tamio-signature"])).not.toBe(false);
  });

  it("all sends the four events in lifecycle order", async () => {
    const r = await runMain(["send", "all", "--to", server.url]);
    expect(r.code).toBe(0);
    expect(server.requests.map((q) => JSON.parse(q.body.toString()).event_type)).toEqual([
      "whitelabel-ticket-created",
      "whitelabel-ticket-updated",
      "whitelabel-ticket-assigned",
      "whitelabel-ticket-resolved",
    ]);
    expect(r.stdout).toContain("summary  sent 4");
  });

  it("applies --set, --set-string, --unset and --data, and sends extra headers", async () => {
    const data = join(tmp.dir, "data.json");
    writeFileSync(
      data,
      JSON.stringify({ data: { ticket: { category: "Billing", client: { name: "Ada" } } } }),
    );
    const r = await runMain([
      "send",
      "created",
      "--to",
      server.url,
      "--set",
      "data.ticket.title=Printer on fire",
      "--set",
      "data.ticket.replies[0].text=Hello",
      "--set-string",
      "data.ticket.subcategory=42",
      "--set",
      "data.ticket.custom_flag=true",
      "--unset",
      "data.ticket.replies[1]",
      "--data",
      data,
      "-H",
      "X-Test: yes",
    ]);
    expect(r.code).toBe(0);
    const body = JSON.parse(server.requests[0]?.body.toString() ?? "");
    expect(body.data.ticket.title).toBe("Printer on fire");
    expect(body.data.ticket.replies[0].text).toBe("Hello");
    expect(body.data.ticket.custom_flag).toBe(true);
    expect(body.data.ticket.subcategory).toBe("42");
    expect(body.data.ticket.replies).toHaveLength(1);
    expect(body.data.ticket.category).toBe("Billing");
    expect(body.data.ticket.client).toMatchObject({
      name: "Ada",
      email: "client.doe@plugnpaid.com",
    });
    expect(server.requests[0]?.headers["x-test"]).toBe("yes");
  });

  it("__proto__, constructor and prototype are ordinary keys of the event", async () => {
    const data = join(tmp.dir, "data.json");
    writeFileSync(data, '{"data":{"ticket":{"__proto__":{"from_data":1},"prototype":2}}}');
    const r = await runMain([
      "send",
      "created",
      "--to",
      server.url,
      "--set",
      "__proto__.polluted=yes",
      "--set",
      "data.ticket.client.constructor.name=x",
      "--data",
      data,
    ]);
    expect(r.code).toBe(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(r.stderr).not.toContain("polluted");
    const body = server.requests[0]?.body.toString() ?? "";
    expect(body).toContain('"__proto__":{"polluted":"yes"}');
    expect(body).toContain('"__proto__":{"from_data":1}');
    expect(body).toContain('"prototype":2');
    expect(body).toContain('"constructor":{"name":"x"}');
  });

  it("--set-string keeps a string and a path through a non-object is exit 2", async () => {
    const bad = await runMain([
      "send",
      "created",
      "--to",
      server.url,
      "--set",
      "data.ticket.title.x=1",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("data.ticket.title is a string, not an object");
    expect(server.requests).toHaveLength(0);
  });

  it("refuses an invalid event with its errors unless --skip-validation", async () => {
    const args = ["send", "resolved", "--to", server.url, "--set", "data.ticket.is_open=true"];
    const refused = await runMain(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("nothing was sent");
    expect(refused.stderr).toContain(
      "data.ticket.is_open: must be false in whitelabel-ticket-resolved",
    );
    expect(server.requests).toHaveLength(0);
    const forced = await runMain([...args, "--skip-validation"]);
    expect(forced.code).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it("sends a JSON file as given", async () => {
    const file = join(tmp.dir, "event.json");
    writeFileSync(file, template("assigned"));
    const r = await runMain(["send", file, "--to", server.url]);
    expect(r.code).toBe(0);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? "")).toEqual(
      JSON.parse(template("assigned")),
    );
  });

  it("--fresh gives a new event_id and moves timestamps so the newest is now, keeping gaps", async () => {
    const r = await runMain(["send", "updated", "--to", server.url, "--fresh"]);
    expect(r.code).toBe(0);
    const sent = JSON.parse(server.requests[0]?.body.toString() ?? "");
    const orig = JSON.parse(template("updated"));
    expect(sent.event_id).toMatch(/^whev_[a-z0-9]{17}$/);
    expect(sent.event_id).not.toBe(orig.event_id);
    const now = server.requests[0]?.at ?? 0;
    expect(Math.abs(sent.data.ticket.updated_at - now)).toBeLessThanOrEqual(2);
    expect(sent.data.ticket.updated_at - sent.data.ticket.created_at).toBe(
      orig.data.ticket.updated_at - orig.data.ticket.created_at,
    );
    expect(sent.data.ticket.id).toBe(orig.data.ticket.id);
  });

  it("--new-ticket renews ticket and reply ids, keeping data.reply the last reply", async () => {
    const r = await runMain(["send", "updated", "--to", server.url, "--new-ticket"]);
    expect(r.code).toBe(0);
    const sent = JSON.parse(server.requests[0]?.body.toString() ?? "");
    const orig = JSON.parse(template("updated"));
    expect(sent.data.ticket.id).not.toBe(orig.data.ticket.id);
    expect(sent.data.reply).toEqual(sent.data.ticket.replies.at(-1));
    expect(sent.data.reply.id).not.toBe(orig.data.reply.id);
  });

  it("--dry-run prints the exact request and sends nothing", async () => {
    const r = await runMain([
      "send",
      "created",
      "--to",
      server.url,
      "--secret",
      SECRET,
      "--dry-run",
    ]);
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(r.stdout).toContain(`POST ${server.url}`);
    expect(r.stdout).toMatch(/X-Signature: t=\d+,s=[0-9a-f]{64}/);
    expect(r.stdout).toContain(JSON.stringify(JSON.parse(template("created"))));
    const json = await runMain(["send", "created", "--to", server.url, "--dry-run", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      type: "request",
      method: "POST",
      url: server.url,
    });
  });

  it("--edit opens $EDITOR and sends what was saved; broken JSON sends nothing", async () => {
    const editor = join(tmp.dir, "editor.sh");
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/Help with Account/Edited title/' "$1"\n`);
    chmodSync(editor, 0o755);
    const ok = await runMain(["send", "created", "--to", server.url, "--edit"], {
      env: { EDITOR: editor },
    });
    expect(ok.code).toBe(0);
    expect(JSON.parse(server.requests[0]?.body.toString() ?? "").data.ticket.title).toBe(
      "Edited title",
    );
    const breaker = join(tmp.dir, "break.sh");
    writeFileSync(breaker, `#!/bin/sh\nprintf '{\\n  "broken": \\n' > "$1"\n`);
    chmodSync(breaker, 0o755);
    const bad = await runMain(["send", "created", "--to", server.url, "--edit"], {
      env: { EDITOR: breaker, VISUAL: "" },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\(as edited\):3:1: invalid JSON.*nothing was sent/);
    expect(server.requests).toHaveLength(1);
  });

  it("retries a failing server: 3 attempts, one event_id, each signed at its own send time", async () => {
    server.respond((_req, i, res) => {
      res.statusCode = i < 2 ? 503 : 200;
      res.end(i < 2 ? "busy" : "ok");
    });
    const clock = new VirtualClock(1_700_000_000_000);
    const r = await runMain(
      [
        "send",
        "created",
        "--to",
        server.url,
        "--secret",
        SECRET,
        "--retries",
        "3",
        "--backoff",
        "1100",
        "--json",
      ],
      { clock },
    );
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([1100, 2200]); // back-off doubles
    const ids = server.requests.map((q) => JSON.parse(q.body.toString()).event_id);
    expect(new Set(ids).size).toBe(1);
    // Re-signed at each attempt, at the clock's time then: 0 s, 1.1 s, 3.3 s after the start.
    const stamps = server.requests.map((q) => signatureOk(q.body, q.headers["x-signature"]));
    expect(stamps).toEqual([1_700_000_000, 1_700_000_001, 1_700_000_003]);
    const [delivery, summary] = lines(r.stdout).map((l) => JSON.parse(l));
    expect(delivery).toMatchObject({
      type: "delivery",
      status: 200,
      attempts: 3,
      ok: true,
      error: null,
    });
    expect(summary).toMatchObject({ type: "summary", sent: 1, ok: 1, errors: 0 });
  });

  it("honours Retry-After in seconds, capped by --max-backoff", async () => {
    server.respond((_req, i, res) => {
      res.statusCode = i < 2 ? 429 : 200;
      if (i < 2) res.setHeader("Retry-After", i === 0 ? "7" : "120");
      res.end();
    });
    const clock = new VirtualClock();
    const r = await runMain(
      ["send", "created", "--to", server.url, "--retries", "2", "--backoff", "0", "--json"],
      { clock },
    );
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([7000, 30_000]); // told 7 s, then 120 s capped at 30 s
    const [delivery] = lines(r.stdout).map((l) => JSON.parse(l));
    expect(delivery.attempts).toBe(3);
  });

  it("gives up after its retries with exit 1, the status and the start of the body", async () => {
    server.respond((_req, _i, res) => {
      res.statusCode = 500;
      res.end("database is down");
    });
    const r = await runMain([
      "send",
      "created",
      "--to",
      server.url,
      "--retries",
      "1",
      "--backoff",
      "0",
    ]);
    expect(r.code).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(r.stderr).toContain("delivery failed: HTTP 500: database is down");
    expect(r.stdout).toContain("✗ 500");
  });

  it("--verbose shows the response headers and body", async () => {
    server.respond((_req, _i, res) => {
      res.setHeader("x-request-id", "abc-123");
      res.end('{"stored":true}');
    });
    const r = await runMain(["send", "created", "--to", server.url, "--verbose"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("< x-request-id: abc-123");
    expect(r.stdout).toContain('{"stored":true}');
  });

  it("a 4xx is not retried", async () => {
    server.respond((_req, _i, res) => {
      res.statusCode = 401;
      res.end('{"error":"bad signature"}');
    });
    const clock = new VirtualClock();
    const r = await runMain(
      ["send", "created", "--to", server.url, "--retries", "3", "--backoff", "100"],
      { clock },
    );
    expect(r.code).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("times out after --timeout ms", async () => {
    server.respond(() => {
      /* never answers */
    });
    const r = await runMain(["send", "created", "--to", server.url, "--timeout", "300"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("timed out after 300 ms");
  });

  it("connection refused gives exit 1 and one line", async () => {
    const url = server.url;
    await server.stop();
    const r = await runMain(["send", "created", "--to", url]);
    expect(r.code).toBe(1);
    expect(lines(r.stderr).at(-1)).toMatch(
      /^error: delivery failed: nothing listening at 127\.0\.0\.1:\d+ \(connection refused\)$/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    server = await new WebhookServer().start();
  });

  it("an unknown DNS name is named", async () => {
    const r = await runMain(["send", "created", "--to", "http://no-such-host.invalid/hook"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("DNS name not found: no-such-host.invalid");
  });

  it.each([
    [["--to", "not a url"], "not a URL"],
    [["--to", "ftp://x/y"], "unsupported URL scheme"],
    [[], "no receiver URL"],
  ])("usage errors exit 2: %j", async (args, message) => {
    const r = await runMain(["send", "created", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("an unknown event exits 2", async () => {
    const r = await runMain(["send", "deleted", "--to", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown event "deleted"');
  });

  it("--count and --concurrency: every request accounted for, each with a fresh event_id", async () => {
    // Answers are held until 8 requests are in flight (or 250 ms went by), so the count of
    // requests in flight at once shows the concurrency the sender really used.
    let inFlight = 0;
    let most = 0;
    let held: Array<() => void> = [];
    let timer: NodeJS.Timeout | undefined;
    const release = () => {
      clearTimeout(timer);
      timer = undefined;
      const now = held;
      held = [];
      for (const answer of now) answer();
    };
    server.respond((_req, _i, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      held.push(() => {
        inFlight--;
        res.end("ok");
      });
      if (held.length >= 8) release();
      else timer ??= setTimeout(release, 250);
    });
    const r = await runMain([
      "send",
      "created",
      "updated",
      "--to",
      server.url,
      "--count",
      "25",
      "--concurrency",
      "8",
      "--secret",
      SECRET,
      "--json",
    ]);
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(50);
    const records = lines(r.stdout).map((l) => JSON.parse(l));
    const deliveries = records.filter((x) => x.type === "delivery");
    const summary = records.find((x) => x.type === "summary");
    expect(deliveries).toHaveLength(50);
    expect(summary).toMatchObject({ sent: 50, ok: 50, non_2xx: 0, errors: 0 });
    const ids = server.requests.map((q) => JSON.parse(q.body.toString()).event_id);
    expect(new Set(ids).size).toBe(50);
    expect(new Set(deliveries.map((d) => d.event_id))).toEqual(new Set(ids));
    expect(
      server.requests.every((q) => signatureOk(q.body, q.headers["x-signature"]) !== false),
    ).toBe(true);
    expect(summary.p50_ms).toBeLessThanOrEqual(summary.p99_ms);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(8);
  });

  it("--rate spaces the requests out", async () => {
    const clock = new VirtualClock();
    const r = await runMain(
      [
        "send",
        "created",
        "--to",
        server.url,
        "--count",
        "5",
        "--concurrency",
        "1",
        "--rate",
        "20",
        "--json",
      ],
      { clock },
    );
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(5);
    // 20 per second: each request is due 50 ms after the one before.
    expect(clock.sleeps).toEqual([50, 50, 50, 50]);
  });

  it("mixed outcomes add up in the summary", async () => {
    server.respond((_req, i, res) => {
      res.statusCode = i % 4 === 0 ? 500 : 200;
      res.end();
    });
    const r = await runMain([
      "send",
      "created",
      "--to",
      server.url,
      "--count",
      "20",
      "--concurrency",
      "1",
      "--json",
    ]);
    expect(r.code).toBe(1);
    const summary = lines(r.stdout)
      .map((l) => JSON.parse(l))
      .find((x) => x.type === "summary");
    expect(summary).toMatchObject({ sent: 20, ok: 15, non_2xx: 5, errors: 0 });
    expect(r.stderr).toContain("5 of 20 deliveries failed");
  });
});
