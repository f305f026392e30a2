import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listen } from "../../src/core/listener/listen.js";
import { sign } from "../../src/core/signing/signature.js";
import { listenPorts } from "../../src/io/adapters.js";
import { editTextAsync } from "../../src/io/editor.js";
import { PAYLOADS } from "../helpers/cli.js";
import { fixedClock } from "../helpers/clock.js";
import { signedAt } from "../helpers/hmac.js";
import { post } from "../helpers/http.js";
import { type RunningMain, startMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const CREATED = JSON.stringify(
  JSON.parse(readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json"), "utf8")),
);
const JSON_HEADERS = { "content-type": "application/json" };

const running: RunningMain[] = [];
const apps: WebhookServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    r.signals.send("SIGINT");
    await r.done;
  }
  for (const app of apps.splice(0)) await app.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function startApp(respond: ConstructorParameters<typeof WebhookServer>[0]) {
  const app = await new WebhookServer(respond).start();
  apps.push(app);
  return app;
}

/** `listen --json --record FILE …` in-process; resolves its URL. */
async function startListener(args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "forwarding-"));
  dirs.push(dir);
  const record = join(dir, "rec.ndjson");
  const main = startMain(["listen", "--json", "--record", record, ...args]);
  running.push(main);
  const [, url] = (await main.waitFor(/"type":"ready","url":"([^"]+)"/, "stdout")) as string[];
  return { url: url as string, main, record };
}

/** Stops the listener (which flushes its recording) and reads the recorded lines. */
async function stopAndRead(listener: { main: RunningMain; record: string }) {
  running.splice(running.indexOf(listener.main), 1);
  listener.main.signals.send("SIGINT");
  await listener.main.done;
  return readFileSync(listener.record, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("listen --forward-to: the app's answer", () => {
  it("records the app's status, headers, body and time (--json and the recording)", async () => {
    const app = await startApp((_r, _i, res) => {
      res.statusCode = 500;
      res.setHeader("content-type", "text/plain");
      res.setHeader("x-app", "v1");
      res.end("TypeError: cannot read properties of undefined (reading 'ticket')");
    });
    const listener = await startListener(["--port", "0", "--forward-to", app.url]);
    const answer = await post(listener.url, CREATED, JSON_HEADERS);
    expect(answer.status).toBe(500);
    const [record] = await stopAndRead(listener);
    expect(record.forward).toMatchObject({
      status: 500,
      error: null,
      body: "TypeError: cannot read properties of undefined (reading 'ticket')",
      body_bytes: 65,
      body_truncated: false,
    });
    expect(record.forward.headers).toMatchObject({ "content-type": "text/plain", "x-app": "v1" });
    expect(typeof record.forward.duration_ms).toBe("number");
  });

  it("a long answer: 64 KiB back to the sender, 2 KiB in the line, whole characters", async () => {
    const body = "é".repeat(50_000); // 100,000 bytes
    const app = await startApp((_r, _i, res) => res.end(body));
    const listener = await startListener(["--port", "0", "--forward-to", app.url]);
    const answer = await post(listener.url, CREATED, JSON_HEADERS);
    expect(Buffer.byteLength(answer.body)).toBe(64 * 1024);
    expect(answer.body).toBe("é".repeat(32 * 1024));
    const [record] = await stopAndRead(listener);
    expect(record.forward.body).toBe("é".repeat(1024));
    expect(record.forward).toMatchObject({ body_bytes: 100_000, body_truncated: true });
  });
});

describe("listen --forward-to: requests that cannot be forwarded as they came", () => {
  it("Expect: 100-continue reaches the app (the header is dropped), not a 502", async () => {
    const app = await startApp((_r, _i, res) => {
      res.statusCode = 202;
      res.end("ok");
    });
    const listener = await startListener(["--port", "0", "--forward-to", app.url]);
    const answer = await post(listener.url, CREATED, { ...JSON_HEADERS, expect: "100-continue" });
    expect(answer.status).toBe(202);
    expect(app.requests[0]?.headers.expect).toBeUndefined();
    expect(app.requests[0]?.body.toString()).toBe(CREATED);
  });

  it("--forward-to the listener's own address is refused at start", async () => {
    const port = await freePort();
    for (const target of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/x`]) {
      const main = startMain(["listen", "--port", String(port), "--forward-to", target]);
      const result = await main.done;
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("is this listener's own address");
    }
  });

  it("a loop through another listener ends at once with 508 Loop Detected", async () => {
    const portA = await freePort();
    const b = await startListener(["--port", "0", "--forward-to", `http://127.0.0.1:${portA}/`]);
    const a = await startListener(["--port", String(portA), "--forward-to", b.url]);
    const answer = await post(a.url, CREATED, JSON_HEADERS);
    expect(answer.status).toBe(508);
    expect(JSON.parse(answer.body).error).toMatch(/forwarding loop/);
    // A refused the request when it came back (marked by A itself), once; B passed the 508 on.
    const atA = await stopAndRead(a);
    expect(atA.map((r) => [r.status, r.rejected])).toEqual([
      [508, true],
      [508, false],
    ]);
    expect(atA[1].forward.status).toBe(508);
    const atB = await stopAndRead(b);
    expect(atB).toHaveLength(1);
  });
});

describe("listener.replay", () => {
  it("re-signs with a fresh timestamp: --forward-secret, else --secret", async () => {
    const app = await startApp((_r, _i, res) => res.end("ok"));
    // The listener's clock is a year back: the original signature is a year old when replayed.
    const past = Math.floor(Date.now() / 1000) - 365 * 86_400;
    for (const [extra, key] of [
      [{}, "whsec_listener"],
      [{ forwardSecret: "whsec_app" }, "whsec_app"],
    ] as const) {
      const listener = await listen(
        { port: 0, secret: "whsec_listener", forwardTo: app.url, ...extra },
        { ...listenPorts, clock: fixedClock(past) },
      );
      try {
        const body = Buffer.from(CREATED);
        const sent = await post(listener.url, body, {
          ...JSON_HEADERS,
          "x-signature": sign("whsec_listener", body, past),
        });
        expect(sent.status).toBe(200);
        const [received] = listener.log.entries;
        const before = app.requests.length;
        if (!received) throw new Error("nothing received");
        const result = await listener.replay(received);
        expect(result).toMatchObject({ status: 200, body: "ok" });
        const t = signedAt(body, app.requests[before]?.headers["x-signature"], key);
        expect(t).toBeGreaterThan(past + 300 * 86_400);
      } finally {
        await listener.close();
      }
    }
  });
});

describe("listener.resend (e in the live UI)", () => {
  it("sends the edited bytes re-signed; a new exchange, linked, in the log only", async () => {
    const app = await startApp((_r, _i, res) => res.end("edited ok"));
    const dir = mkdtempSync(join(tmpdir(), "resend-"));
    dirs.push(dir);
    const record = join(dir, "rec.ndjson");
    const listener = await listen(
      { port: 0, secret: "whsec_listener", forwardTo: app.url, record },
      listenPorts,
    );
    try {
      const body = Buffer.from(CREATED);
      await post(listener.url, body, {
        ...JSON_HEADERS,
        "x-signature": sign("whsec_listener", body),
      });
      const [original] = listener.log.entries;
      if (!original) throw new Error("nothing received");
      const edited = Buffer.from(CREATED.replace('"event_id":"', '"event_id":"edited_'));
      const sent = await listener.resend(original, edited);
      expect(sent).toMatchObject({ seq: 2, editedFrom: 1, status: 200 });
      expect(sent.forward?.body).toBe("edited ok");
      expect(app.requests[1]?.body.equals(edited)).toBe(true);
      expect(signedAt(edited, app.requests[1]?.headers["x-signature"], "whsec_listener")).not.toBe(
        false,
      );
      expect(listener.log.entries.map((e) => e.seq)).toEqual([1, 2]);
      // Shown, not counted: the counters (and the summary's "Recorded N") count what arrived.
      expect(listener.log.counters).toMatchObject({ received: 1, valid: 1, forwarded: 1 });
    } finally {
      await listener.close();
    }
    expect(readFileSync(record, "utf8").trim().split("\n")).toHaveLength(1);
  });
});

describe("editTextAsync", () => {
  it("returns what the editor saved without blocking the event loop", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const saved = await editTextAsync("Alpha", "e.json", {
      EDITOR: "sleep 0.2; sed -i s/Alpha/Beta/",
      PATH: process.env.PATH,
    });
    clearInterval(timer);
    expect(saved).toBe("Beta");
    expect(ticks).toBeGreaterThan(10);
    await expect(
      editTextAsync("x", "e.json", { EDITOR: "false", PATH: process.env.PATH }),
    ).rejects.toThrow(/exited with code 1; nothing was sent/);
  });
});

describe("the forward target's health", () => {
  it("probed at start, followed through forwards: target lines in --json after ready", async () => {
    const port = await freePort();
    const deadUrl = `http://127.0.0.1:${port}/webhooks`;
    const listener = await startListener(["--port", "0", "--forward-to", deadUrl]);
    await listener.main.waitFor(/"type":"target".*"up":false/, "stdout");
    const lines = listener.main
      .stdout()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0].type).toBe("ready");
    expect(lines[1]).toMatchObject({ type: "target", url: deadUrl, up: false });
    expect(lines[1].error).toContain("connection refused");
    // An app that answers from the start is not mentioned in --json.
    const app = await startApp((_r, _i, res) => res.end("ok"));
    const up = await startListener(["--port", "0", "--forward-to", app.url]);
    await post(up.url, CREATED, JSON_HEADERS);
    await up.main.waitFor(/"type":"request"/, "stdout");
    expect(up.main.stdout()).not.toContain('"type":"target"');
  });

  it("a failing forward marks it down; the plain output warns", async () => {
    const app = await startApp((_r, _i, res) => res.end("ok"));
    const main = startMain(["listen", "--port", "0", "--forward-to", app.url]);
    running.push(main);
    const [, url] = (await main.waitFor(/Ready: listening on (\S+)/)) as string[];
    await main.waitFor(/The app at .* answers/);
    await app.stop();
    apps.splice(apps.indexOf(app), 1);
    expect((await post(url as string, CREATED, JSON_HEADERS)).status).toBe(502);
    await main.waitFor(/The app at .* is down: nothing listening/);
  });
});

describe("forwarded requests: -H and --insecure", () => {
  it("-H adds headers to forwarded requests", async () => {
    const app = await startApp((_r, _i, res) => res.end("ok"));
    const listener = await startListener([
      "--port",
      "0",
      "--forward-to",
      app.url,
      "-H",
      "Authorization: Bearer local-dev",
      "-H",
      "X-Env: test",
    ]);
    await post(listener.url, CREATED, JSON_HEADERS);
    expect(app.requests[0]?.headers.authorization).toBe("Bearer local-dev");
    expect(app.requests[0]?.headers["x-env"]).toBe("test");
  });

  it("an https target with a self-signed certificate: refused, unless --insecure", async () => {
    const tls = join(import.meta.dirname, "../fixtures/tls");
    const server = createHttpsServer(
      { key: readFileSync(join(tls, "key.pem")), cert: readFileSync(join(tls, "cert.pem")) },
      (_req, res) => {
        res.statusCode = 201;
        res.end("tls ok");
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const target = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const strict = await startListener(["--port", "0", "--forward-to", target]);
      const refused = await post(strict.url, CREATED, JSON_HEADERS);
      expect(refused.status).toBe(502);
      expect(JSON.parse(refused.body).error).toMatch(/TLS|certificate/i);
      const lax = await startListener(["--port", "0", "--forward-to", target, "--insecure"]);
      expect(await post(lax.url, CREATED, JSON_HEADERS)).toMatchObject({
        status: 201,
        body: "tls ok",
      });
      await lax.main.waitFor(/--insecure: the forward target's certificate is not checked/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
