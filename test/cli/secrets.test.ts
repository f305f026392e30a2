// Secrets never leak (config type and parse errors, masks) and an empty secret never turns
// signing or verification off: it is a usage error everywhere. No secret at all is said plainly.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { receive } from "../../src/core/receiving/receive.js";
import { exchangeLine } from "../../src/core/recording/line-encoder.js";
import { PAYLOADS, tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { runMain, startMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const CREATED = join(PAYLOADS, "whitelabel-ticket-created.json");

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

function config(text: string): void {
  writeFileSync(join(tmp.dir, "ticket-hooks.config.json"), text);
}

describe("secrets in a config file", () => {
  it('"secret": 987654321123 is a usage error that does not print the number', async () => {
    config('{"secret": 987654321123}');
    const r = await runMain(["send", "created", "--to", server.url], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"secret" must be a string, got a number (value not shown)');
    expect(r.stderr + r.stdout).not.toContain("987654321123");
    expect(server.requests).toHaveLength(0);
  });

  it("an unquoted whsec_… shows none of its characters in the parse error", async () => {
    config('{\n  "to": "http://127.0.0.1:9/",\n  "secret": whsec_abcdefghijkl\n}\n');
    const r = await runMain(["send", "created"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ticket-hooks\.config\.json:3:\d+: invalid JSON/);
    expect(r.stderr).not.toMatch(/whsec|abcdef|'w'/);
  });

  it('a JSON parse error never quotes the text around the error (V8\'s ..."…"...)', async () => {
    const file = join(tmp.dir, "event.json");
    writeFileSync(file, '{"event_type": whitelabel_with_text_after_it_that_v8_would_quote}');
    const r = await runMain(["validate", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid JSON");
    expect(r.stderr).not.toContain("with_text_after");
  });

  it('a secret where a URL belongs ("forward": {"created": "whsec_…"}) is not echoed', async () => {
    config('{"forward": {"created": "whsec_abcdefghijkl"}}');
    const r = await runMain(["listen", "--port", "0"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a URL");
    expect(r.stderr + r.stdout).not.toMatch(/whsec|abcdef/);
    const flag = await runMain(["send", "created", "--to", "whsec_abcdefghijkl"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr + flag.stdout).not.toMatch(/whsec|abcdef/);
  });

  it('a list option given other than strings ("header": [5, "…"]) is a usage error', async () => {
    config('{"header": [5, "X-A: b"]}');
    const r = await runMain(["send", "created", "--to", server.url, "--dry-run"], {
      cwd: tmp.dir,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"header" must be a list of strings, got a number in it');
  });

  it("an empty secret in the config file is refused", async () => {
    config('{"secret": ""}');
    const r = await runMain(["send", "created", "--to", server.url], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the secret is empty ("secret" in the config file is empty)');
  });
});

describe("an empty secret is a usage error everywhere (exit 2)", () => {
  const recording = () => {
    const file = join(tmp.dir, "events.ndjson");
    writeFileSync(file, "");
    return file;
  };
  const commands: Array<[string, () => string[]]> = [
    ["listen", () => ["listen", "--port", "0", "--no-ui"]],
    ["send", () => ["send", "created", "--to", server.url]],
    ["replay", () => ["replay", recording(), "--to", server.url]],
    ["scenario", () => ["scenario", "lifecycle", "--to", server.url]],
    ["check", () => ["check", "--to", server.url]],
    ["doctor", () => ["doctor", "--to", server.url]],
    ["demo", () => ["demo"]],
    ["sign", () => ["sign", CREATED]],
    ["verify", () => ["verify", CREATED, "--signature", "t=1,s=00"]],
  ];

  it.each(commands)('%s --secret "" and TICKET_HOOKS_SECRET=', async (name, args) => {
    if (name === "demo") {
      const flag = await runMain([...args(), "--secret", ""]);
      expect(flag.code).toBe(2);
      expect(flag.stderr).toContain('the secret is empty (--secret "")');
      return;
    }
    const flag = await runMain([...args(), "--secret", ""]);
    expect(flag.code, flag.stderr).toBe(2);
    expect(flag.stderr).toMatch(/the secret is empty \(--secret ""\)|needs a secret/);
    const env = await runMain(args(), { env: { TICKET_HOOKS_SECRET: "" } });
    expect(env.code, env.stderr).toBe(2);
    expect(env.stderr).toMatch(/TICKET_HOOKS_SECRET is set but empty|needs a secret/);
    expect(server.requests).toHaveLength(0);
  });

  it('listen --forward-secret "" too', async () => {
    const r = await runMain(["listen", "--port", "0", "--no-ui", "--forward-secret", ""]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the secret is empty (--forward-secret "")');
  });
});

describe("no secret at all", () => {
  it("send, replay and scenario send unsigned with one note per run", async () => {
    const r = await runMain(["send", "created", "--to", server.url, "--count", "3"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/requests are sent unsigned/g)).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.every((q) => q.headers["x-signature"] === undefined)).toBe(true);

    const s = await runMain(["scenario", "lifecycle", "--to", server.url]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr.match(/requests are sent unsigned/g)).toHaveLength(1);

    const recording = join(tmp.dir, "events.ndjson");
    const body = readFileSync(CREATED);
    const request = {
      method: "POST",
      url: "/",
      headers: { "content-type": "application/json" },
      body,
    };
    const exchange = {
      seq: 1,
      receivedAt: new Date(),
      request,
      verdict: receive(request, {}),
      status: 200,
      forward: null,
      aborted: false,
    };
    writeFileSync(
      recording,
      `${exchangeLine(exchange)}\n${exchangeLine({ ...exchange, seq: 2 })}\n`,
    );
    const replayed = await runMain(["replay", recording, "--to", server.url]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stderr.match(/requests are sent unsigned/g)).toHaveLength(1);

    const signed = await runMain(["send", "created", "--to", server.url, "--secret", "whsec_x"]);
    expect(signed.stderr).not.toContain("unsigned");
  });

  it("listen's ready line says plainly that signatures are not checked", async () => {
    const run = startMain(["listen", "--port", "0", "--no-ui"]);
    const [line] = await run.waitFor(/Ready: listening on \S+.*/);
    expect(line).toContain("signatures are NOT checked");
    run.signals.send("SIGINT");
    expect((await run.done).code).toBe(0);

    const verified = startMain([
      "listen",
      "--port",
      "0",
      "--no-ui",
      "--secret",
      "whsec_0123456789",
    ]);
    await verified.waitFor(/Verifying signatures/);
    expect(verified.stderr()).not.toContain("NOT checked");
    expect(verified.stderr()).toContain("secret wh****89");
    verified.signals.send("SIGINT");
    await verified.done;
  });
});

describe("demo --keep-open", () => {
  it("prints the secret it generated, and events signed with it are accepted", async () => {
    const run = startMain(["demo", "--keep-open"]);
    const [, url, secret] = await run.waitFor(
      /Still listening on (\S+)\. Try:\n.*--secret (whsec_[0-9a-f]+)\n/,
    );
    const sent = await runMain([
      "send",
      "resolved",
      "--to",
      url as string,
      "--secret",
      secret as string,
    ]);
    expect(sent.code, sent.stderr + sent.stdout).toBe(0);
    const unsigned = await post(url as string, "{}");
    expect(unsigned.status).toBe(401);
    run.signals.send("SIGINT");
    expect((await run.done).code).toBe(0);
  });

  it("takes --secret instead, and does not print it", async () => {
    const secret = "whsec_my_own_demo_secret";
    const run = startMain(["demo", "--keep-open", "--secret", secret]);
    const [, url] = await run.waitFor(/Still listening on (\S+)\./);
    const sent = await runMain(["send", "resolved", "--to", url as string, "--secret", secret]);
    expect(sent.code, sent.stderr + sent.stdout).toBe(0);
    expect(run.stderr()).not.toContain(secret);
    run.signals.send("SIGINT");
    expect((await run.done).code).toBe(0);
  });

  it("without --keep-open prints no secret", async () => {
    const r = await runMain(["demo"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/whsec_[0-9a-f]{36}/);
  });
});

describe("credentials in the receiver's URL (user:password@)", () => {
  const PASSWORD = "s3cr%40t-pw";
  const basic = `Basic ${Buffer.from("ops:s3cr@t-pw").toString("base64")}`;
  const withCredentials = () => server.url.replace("http://", `http://ops:${PASSWORD}@`);
  const leaks = (text: string) =>
    [PASSWORD, "s3cr@t-pw", basic.slice(6)].filter((s) => text.includes(s));

  it("send sends them as Basic auth, as curl does, and prints them nowhere", async () => {
    const sent = await runMain(["send", "created", "--to", withCredentials(), "--json"]);
    expect(sent.code).toBe(0);
    const dry = await runMain(["send", "created", "--to", withCredentials(), "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^authorization: Basic \S*\*\*\*\*/m);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([basic]);
    for (const r of [sent, dry]) expect(leaks(r.stdout + r.stderr)).toEqual([]);
    expect(sent.stderr).toContain('Basic auth for user "ops"');
  });

  it("check sends them with every case; the JUnit report and --json do not hold them", async () => {
    const report = join(tmp.dir, "check.xml");
    const r = await runMain([
      "check",
      "--to",
      withCredentials(),
      "--only",
      "valid-created,missing-signature",
      "--reporter",
      "junit",
      "--output",
      report,
    ]);
    expect(server.requests.length).toBeGreaterThan(0);
    for (const req of server.requests) expect(req.headers.authorization).toBe(basic);
    const json = await runMain([
      "check",
      "--to",
      withCredentials(),
      "--only",
      "valid-event",
      "--json",
    ]);
    for (const text of [
      r.stdout + r.stderr,
      json.stdout + json.stderr,
      readFileSync(report, "utf8"),
    ]) {
      expect(leaks(text)).toEqual([]);
    }
  });
});

describe("credentials in --forward-to (user:password@)", () => {
  it("are sent to the app as Basic auth and shown nowhere", async () => {
    const to = server.url.replace("http://", "http://app:fw-pa55word@");
    const main = startMain(["listen", "--port", "0", "--forward-to", to]);
    const [, url] = (await main.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/)/, "stderr")) as string[];
    expect((await post(url as string, '{"a":1}')).status).toBe(200);
    main.signals.send("SIGINT");
    const done = await main.done;
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("app:fw-pa55word").toString("base64")}`,
    );
    expect(done.stdout + done.stderr).not.toContain("pa55word");
    expect(done.stderr).toContain(`Forwarding to ${server.url}`);
  });
});
