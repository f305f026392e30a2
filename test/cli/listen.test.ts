import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lines, PAYLOADS, tempDir } from "../helpers/cli.js";
import { VirtualClock } from "../helpers/clock.js";
import { disconnectMidBody, post } from "../helpers/http.js";
import { type MainOptions, type RunningMain, runMain, startMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const SECRET = "whsec_listen_test";
const CREATED = JSON.stringify(
  JSON.parse(readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json"), "utf8")),
);
const RESOLVED = JSON.stringify(
  JSON.parse(readFileSync(join(PAYLOADS, "whitelabel-ticket-resolved.json"), "utf8")),
);

function signed(
  body: string,
  secret = SECRET,
  t = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const s = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return { "content-type": "application/json", "x-signature": `t=${t},s=${s}` };
}

let running: RunningMain | undefined;
let tmp: ReturnType<typeof tempDir>;

beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  if (running) {
    running.signals.send("SIGTERM");
    await running.done;
    running = undefined;
  }
  tmp.cleanup();
});

/** Starts `listen --port 0 --json …` and resolves its URL from the ready line. */
async function startListener(args: string[] = [], options: MainOptions = {}): Promise<string> {
  running = startMain(["listen", "--port", "0", "--json", ...args], options);
  const [line] = await running.waitFor(/^.*\n/, "stdout");
  const ready = JSON.parse(line);
  expect(ready.type).toBe("ready");
  await running.waitFor(/Ready: listening on http:\/\/127\.0\.0\.1:/);
  return ready.url;
}

/** The records after the ready line, once there are n of them. */
async function recordsAfter(n: number) {
  const requests = (text: string) =>
    lines(text)
      .filter((l) => l.includes('"type":"request"'))
      .map((l) => JSON.parse(l));
  await running?.waitFor(
    new RegExp(`(?:[^\\n]*"type":"request"[^\\n]*\\n[\\s\\S]*?){${n}}`),
    "stdout",
  );
  return requests(running?.stdout() ?? "");
}

/** Stops the running listener as Ctrl-C would and resolves its result. */
async function stop(signal: NodeJS.Signals = "SIGINT") {
  const run = running as RunningMain;
  running = undefined;
  run.signals.send(signal);
  return run.done;
}

interface Change {
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

describe("listen: the status map", () => {
  it.each<[string, Change, number, string]>([
    ["a wrong path", { path: "/other" }, 404, "not found"],
    ["not POST", { method: "PUT" }, 405, "method PUT not allowed"],
    ["not JSON", { headers: { "content-type": "text/plain" } }, 415, "unsupported content type"],
    ["unparsable JSON", { body: '{"event_type": ' }, 400, "invalid JSON at line 1, column 16"],
  ])("%s → %s", async (_name, change, status, error) => {
    const url = await startListener(["--path", "/hooks"]);
    const target = change.path ? url.replace("/hooks", change.path) : url;
    const answer = await post(
      target,
      change.body ?? CREATED,
      change.headers ?? { "content-type": "application/json" },
      change.method ?? "POST",
    );
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body).error).toContain(error);
    const [record] = await recordsAfter(1);
    expect(record).toMatchObject({ type: "request", status, rejected: true });
  });

  it("a body over --max-body → 413", async () => {
    const url = await startListener(["--max-body", "100"]);
    const answer = await post(url, CREATED);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error).toBe("body too large: more than 100 bytes");
  });

  it.each([
    [
      "missing",
      () => ({ "content-type": "application/json" }),
      "missing signature: no X-Signature header",
    ],
    [
      "malformed",
      () => ({ "content-type": "application/json", "x-signature": "nonsense" }),
      "malformed signature header",
    ],
    [
      "stale",
      () => signed(CREATED, SECRET, Math.floor(Date.now() / 1000) - 600),
      "timestamp too old",
    ],
    [
      "future",
      () => signed(CREATED, SECRET, Math.floor(Date.now() / 1000) + 600),
      "too far in the future",
    ],
    ["wrong", () => signed(CREATED, "another-secret"), "no matching signature"],
  ])("with --secret, a %s signature → 401 with the reason", async (_name, headers, reason) => {
    const url = await startListener(["--secret", SECRET]);
    const answer = await post(url, CREATED, headers());
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body).error).toContain(reason);
    const [record] = await recordsAfter(1);
    expect(record.signature.status).toMatch(/missing|invalid/);
  });

  it("a valid, signed event → 200, shown with its verdict", async () => {
    const url = await startListener(["--secret", SECRET]);
    const answer = await post(url, CREATED, signed(CREATED));
    expect(answer.status).toBe(200);
    const [record] = await recordsAfter(1);
    expect(record).toMatchObject({
      method: "POST",
      path: "/",
      body: JSON.parse(CREATED),
      body_encoding: "json",
      event_type: "whitelabel-ticket-created",
      event_id: "whev_o48n74r1vsv642vex",
      signature: { status: "valid", header: "X-Signature", reason: null },
      validation: { valid: true, errors: [], warnings: [] },
      status: 200,
      forward: null,
    });
    expect(record.headers["x-signature"]).toMatch(/^t=\d+,s=/);
    expect(new Date(record.received_at).getTime()).toBeGreaterThan(0);
  });

  it("finds the signature in another header by its t=…,s=… shape and says which", async () => {
    const url = await startListener(["--secret", SECRET]);
    const { "x-signature": sig, ...rest } = signed(CREATED);
    const answer = await post(url, CREATED, { ...rest, "x-tamio-signature": sig as string });
    expect(answer.status).toBe(200);
    const [record] = await recordsAfter(1);
    expect(record.signature).toMatchObject({ status: "valid", header: "x-tamio-signature" });
  });

  it("--status and --delay simulate a failing endpoint", async () => {
    const clock = new VirtualClock(Date.now());
    const url = await startListener(["--status", "503", "--delay", "50"], { clock });
    const answer = await post(url, CREATED);
    expect(answer.status).toBe(503);
    await post(url, CREATED);
    expect(clock.sleeps).toEqual([50, 50]); // each answer waited --delay ms
  });

  it("schema-invalid events are answered but flagged; --reject-invalid answers 422", async () => {
    const bad = CREATED.replace('"is_open":true', '"is_open":false');
    const url = await startListener();
    expect((await post(url, bad)).status).toBe(200);
    const [record] = await recordsAfter(1);
    expect(record.validation.valid).toBe(false);
    expect(record.validation.errors[0]).toMatchObject({
      path: "data.ticket.is_open",
      rule: "open-state",
    });
    await stop("SIGTERM");
    const strict = await startListener(["--reject-invalid"]);
    const answer = await post(strict, bad);
    expect(answer.status).toBe(422);
    expect(JSON.parse(answer.body).error).toContain("data.ticket.is_open");
  });

  it("the text output shows one line per request with indented errors", async () => {
    running = startMain(["listen", "--port", "0"]);
    const [, url] = await running.waitFor(/Ready: listening on (\S+)/);
    await post(url as string, CREATED.replace('"is_open":true', '"is_open":false'));
    const [line] = await running.waitFor(/^.*whitelabel-ticket-created.*$/m, "stdout");
    expect(line).toMatch(
      /POST \/\s+200\s+sig -\s+schema ✗\s+whitelabel-ticket-created\s+whev_o48n74r1vsv642vex\s+"Help with Account"/,
    );
    const [error] = await running.waitFor(/^ {4}error.*$/m, "stdout");
    expect(error).toContain("data.ticket.is_open");
  });
});

describe("listen: recording", () => {
  it("records every request, rejected ones included, appended across runs after a crash-cut line", async () => {
    const file = join(tmp.dir, "events.ndjson");
    writeFileSync(file, '{"type":"request","seq":1,"body":"{\\"cut'); // a line cut by a crash
    const url = await startListener(["--record", file, "--secret", SECRET]);
    await post(url, CREATED, signed(CREATED));
    await post(url, CREATED, { "content-type": "application/json" });
    await post(url, "not json", signed("not json"));
    await recordsAfter(3);
    const result = await stop("SIGINT");
    expect(result.code).toBe(0);
    const all = readFileSync(file, "utf8").split("\n");
    expect(all[0]).toBe('{"type":"request","seq":1,"body":"{\\"cut');
    const good = all
      .slice(1)
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(good.map((r) => r.status)).toEqual([200, 401, 400]);
    // A compact JSON body is embedded as is; body_start points at its exact text in the line.
    const line = all[1] as string;
    expect(good[0].body_encoding).toBe("json");
    expect(line.slice(good[0].body_start, -1)).toBe(CREATED);
    expect(line).not.toContain(JSON.stringify(CREATED)); // not re-serialised as a string
    // Anything else is a JSON string of its exact text.
    expect(good[2]).toMatchObject({ body_encoding: "utf8", body: "not json" });
  });

  it("keeps a non-UTF-8 body byte for byte as base64", async () => {
    const file = join(tmp.dir, "bin.ndjson");
    const url = await startListener(["--record", file]);
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect((await post(url, bytes)).status).toBe(400);
    await recordsAfter(1);
    await stop("SIGTERM");
    const record = JSON.parse(readFileSync(file, "utf8").trim());
    expect(record.body_encoding).toBe("base64");
    expect(Buffer.from(record.body, "base64")).toEqual(bytes);
  });

  it("records a client that disconnects mid-body", async () => {
    const url = await startListener();
    await disconnectMidBody(url, '{"event_type":"whitelab', 500);
    const [record] = await recordsAfter(1);
    expect(record).toMatchObject({ aborted: true, status: null, body: '{"event_type":"whitelab' });
  });
});

describe("listen: forwarding", () => {
  let app: WebhookServer;
  beforeEach(async () => {
    app = await new WebhookServer((_r, _i, res) => {
      res.statusCode = 202;
      res.setHeader("content-type", "text/plain");
      res.end("app says hi");
    }).start();
  });
  afterEach(() => app.stop());

  it("forwards the raw body and original headers; the sender gets the app's answer", async () => {
    const url = await startListener(["--secret", SECRET, "--forward-to", app.url]);
    const headers: Record<string, string> = { ...signed(CREATED), "x-custom": "kept" };
    const answer = await post(url, CREATED, headers);
    expect(answer).toMatchObject({ status: 202, body: "app says hi" });
    const forwarded = app.requests[0];
    expect(forwarded?.body.toString()).toBe(CREATED);
    expect(forwarded?.headers["x-custom"]).toBe("kept");
    expect(forwarded?.headers["x-signature"]).toBe(headers["x-signature"]);
    const [record] = await recordsAfter(1);
    expect(record.forward).toMatchObject({ status: 202, error: null });
  });

  it("--forward-secret re-signs for the app", async () => {
    const url = await startListener([
      "--secret",
      SECRET,
      "--forward-to",
      app.url,
      "--forward-secret",
      "app-secret",
    ]);
    await post(url, CREATED, signed(CREATED));
    const sig = String(app.requests[0]?.headers["x-signature"]);
    const [, t, s] = /^t=(\d+),s=([0-9a-f]+)$/.exec(sig) ?? [];
    expect(createHmac("sha256", "app-secret").update(`${t}.${CREATED}`).digest("hex")).toBe(s);
  });

  it("app down → 502 to the sender, clearly shown", async () => {
    const deadUrl = app.url;
    await app.stop();
    const url = await startListener(["--forward-to", deadUrl]);
    const answer = await post(url, CREATED);
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body).error).toMatch(/forwarding to .* failed: nothing listening/);
    const [record] = await recordsAfter(1);
    expect(record.forward).toMatchObject({ status: null });
    expect(record.forward.error).toContain("connection refused");
    app = await new WebhookServer().start();
  });

  it("--events shows and forwards only those; others are answered and recorded as filtered", async () => {
    const file = join(tmp.dir, "f.ndjson");
    const url = await startListener([
      "--events",
      "resolved",
      "--forward-to",
      app.url,
      "--record",
      file,
    ]);
    expect((await post(url, CREATED)).status).toBe(200);
    expect((await post(url, RESOLVED)).status).toBe(202);
    const [shown] = await recordsAfter(1);
    expect(shown.event_type).toBe("whitelabel-ticket-resolved");
    expect(app.requests).toHaveLength(1);
    await stop("SIGTERM");
    const recorded = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(recorded.map((r) => [r.event_type, r.filtered])).toEqual([
      ["whitelabel-ticket-created", true],
      ["whitelabel-ticket-resolved", false],
    ]);
  });
});

describe("listen: lifecycle", () => {
  it("Ctrl-C prints the summary on stderr and exits 0", async () => {
    const url = await startListener(["--secret", SECRET]);
    await post(url, CREATED, signed(CREATED));
    await post(url, CREATED);
    await recordsAfter(2);
    const result = await stop("SIGINT");
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      "Summary: received 2, valid 1, invalid 0, rejected 1, forwarded 0",
    );
  });

  it("warns when binding to all interfaces", async () => {
    running = startMain(["listen", "--port", "0", "--host", "0.0.0.0"]);
    await running.waitFor(/Ready:/);
    expect(running.stderr()).toContain("warning: binding to all interfaces");
  });

  it("a port in use is exit 2 with a hint", async () => {
    const server = await new WebhookServer().start();
    const port = new URL(server.url).port;
    const r = await runMain(["listen", "--port", port]);
    await server.stop();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} is already in use`);
    expect(r.stderr).toContain("--port 0");
  });

  it("bad flags are exit 2", async () => {
    expect((await runMain(["listen", "--port", "99999"])).code).toBe(2);
    expect((await runMain(["listen", "--events", "deleted"])).stderr).toContain(
      'unknown event "deleted"',
    );
    expect((await runMain(["listen", "--path", "hooks"])).code).toBe(2);
  });
});

describe("demo", () => {
  it("sends the four events to its own listener and exits 0", async () => {
    const r = await runMain(["demo"]);
    expect(r.code).toBe(0);
    expect(
      lines(r.stdout).filter((l) => l.startsWith("listen ›") && l.includes("schema ✓")),
    ).toHaveLength(4);
    expect(lines(r.stdout).filter((l) => l.startsWith("send   › ✓ 200"))).toHaveLength(4);
    expect(r.stderr).toContain("Listener: received 4, valid 4, invalid 0, rejected 0");
    expect(r.stderr).toContain("Demo passed");
    expect(r.stderr).not.toMatch(/whsec_[0-9a-f]{36}/);
  });

  it("--keep-open leaves the listener running until Ctrl-C", async () => {
    running = startMain(["demo", "--keep-open"]);
    await running.waitFor(/Ctrl-C to stop/);
    const [, url] = /Still listening on (\S+)\./.exec(running.stderr()) ?? [];
    const answer = await post(url as string, CREATED);
    expect(answer.status).toBe(401); // the demo's listener checks its own secret
    const result = await stop("SIGINT");
    expect(result.code).toBe(0);
  });

  it("--json gives ready, requests, deliveries and a summary", async () => {
    const r = await runMain(["demo", "--json"]);
    expect(r.code).toBe(0);
    const records = lines(r.stdout).map((l) => JSON.parse(l));
    expect(records[0].type).toBe("ready");
    expect(records.filter((x) => x.type === "request" && x.validation.valid)).toHaveLength(4);
    expect(records.filter((x) => x.type === "delivery" && x.ok)).toHaveLength(4);
    expect(records.at(-1).type).toBe("summary");
  });
});
