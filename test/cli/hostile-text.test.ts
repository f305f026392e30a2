// Outside text never drives the terminal: a corpus of hostile strings goes through every printer,
// check's reports, errors and the live UI, and no raw ESC, BEL, C1 or bidi control comes out
// (our own SGR colours excepted). One-line fields show newlines and tabs as marks.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { XMLValidator } from "fast-xml-parser";
import { render } from "ink-testing-library";
import { createElement } from "react";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { exchangeLines } from "../../src/cli/listen-printer.js";
import { Output } from "../../src/cli/output.js";
import { systemClock } from "../../src/core/clock.js";
import { loadTemplate } from "../../src/core/events/templates.js";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import { RequestLog } from "../../src/core/exchanges/request-log.js";
import { receive } from "../../src/core/receiving/receive.js";
import { exchangeLine } from "../../src/core/recording/line-encoder.js";
import { isTerminalSafe } from "../../src/terminal/safe-text.js";
import { ListenApp } from "../../src/ui/ListenApp.js";
import { tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { BUNDLED } from "../helpers/lookup.js";
import { FakeSignals, runMain, startMain } from "../helpers/main.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const ESC = "\u001b";
/** Every kind of control at once: OSC title, CSI clear/move/colour, DCS, C1 CSI/OSC/ST/NEL, bidi. */
const HOSTILE = [
  `${ESC}]0;pwned\u0007`,
  `${ESC}[2J${ESC}[H${ESC}[41mFAKE: all good`,
  `${ESC}P1$r${ESC}\\`,
  "\u009b31mc1\u009d2;t\u009c\u0085",
  "\u202eevil\u202c\u2066iso\u2069\u202a\u202b\u202d",
  "bell\u0007del\u007f",
  "cr\rnl\ntab\t!",
].join(" ");
/** Latin-1 only (what a header value can carry): C1 controls. */
const HOSTILE_HEADER = "\u009b2J\u009d0;t\u009c\u0085";
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** No raw control reaches the text, and the hostile text was shown (escaped), not dropped. */
function expectSafe(text: string, shown = "\\u001b]0;pwned\\u0007"): void {
  expect(isTerminalSafe(text), JSON.stringify(text)).toBe(true);
  expect(text).not.toMatch(/[\u2028\u2029]/);
  if (shown) expect(text).toContain(shown);
}

/** Each NDJSON line parses; its raw text holds no control character at all. */
function expectSafeJsonLines(text: string): unknown[] {
  const lines = text.split("\n").filter(Boolean);
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line, line).not.toMatch(RAW);
  return lines.map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      throw new Error(`not JSON: ${l}`);
    }
  });
}

function event(fields: { type?: string; id?: string; title?: string } = {}) {
  const value = structuredClone(loadTemplate("created", BUNDLED).value) as {
    event_type: string;
    event_id: string;
    created_at: unknown;
    data: { ticket: { title: string; created_at: unknown } };
  };
  value.event_type = fields.type ?? HOSTILE;
  value.event_id = fields.id ?? HOSTILE;
  value.data.ticket.title = fields.title ?? HOSTILE;
  value.created_at = "2026-01-01T00:00:00Z";
  value.data.ticket.created_at = "2026-01-01T00:00:00Z";
  return value;
}

function exchange(seq: number, body: Buffer, headers: Record<string, string> = {}): Exchange {
  const request = {
    method: "POST",
    url: "/",
    headers: { "content-type": "application/json", "x-evil": HOSTILE_HEADER, ...headers },
    body,
  };
  return {
    seq,
    receivedAt: new Date(2026, 0, 1, 12, 0, seq),
    request,
    verdict: receive(request, {}),
    status: 200,
    forward: {
      status: null,
      duration_ms: 1,
      error: HOSTILE,
      headers: { "x-app": HOSTILE },
      body: HOSTILE,
      body_bytes: Buffer.byteLength(HOSTILE),
      body_truncated: false,
    },
    aborted: false,
  };
}

/** A receiver under test that answers 500 with hostile headers and body. */
function hostileReceiver(): WebhookServer {
  return new WebhookServer((_req, _i, res) => {
    res.writeHead(500, {
      "content-type": `text/plain; ${HOSTILE_HEADER}`,
      "x-evil": HOSTILE_HEADER,
    });
    res.end(HOSTILE);
  });
}

let tmp: ReturnType<typeof tempDir>;
let server: WebhookServer | undefined;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  tmp.cleanup();
});

describe("listen's line output", () => {
  it("shows event type, id, title, errors and headers escaped, one line each", () => {
    const ex = exchange(1, Buffer.from(JSON.stringify(event())));
    const lines = exchangeLines(ex, new Output(collectIo().io).c);
    const text = lines.join("\n");
    expectSafe(text);
    // The title, type and id are one-line fields: the newline and tab are marks.
    expect(lines[0]).toContain("nl↵tab⇥!");
    expect(lines[0]).toContain("\\u009b31mc1");
    expect(lines[0]).toContain("\\u202eevil");
  });

  it("a real listener (lines and --json) escapes fields and the 0x9B of a Content-Type", async () => {
    for (const json of [false, true]) {
      const run = startMain(["listen", "--port", "0", "--no-ui", ...(json ? ["--json"] : [])]);
      const [, url] = await run.waitFor(/listening on (\S+)/);
      await post(url as string, JSON.stringify(event()), {
        "content-type": "application/json",
        "x-evil": HOSTILE_HEADER,
      });
      const refused = await post(url as string, "{}", { "content-type": "application/\u009bjson" });
      expect(refused.status).toBe(415);
      run.signals.send("SIGINT");
      const r = await run.done;
      expect(r.stderr).not.toMatch(RAW);
      if (json) {
        const records = expectSafeJsonLines(r.stdout) as Array<Record<string, unknown>>;
        const requests = records.filter((x) => x.type === "request");
        // Escaped in the text, the same strings once parsed.
        expect(requests[0]?.event_type).toBe(HOSTILE);
        expect(
          String(((requests[0]?.headers ?? {}) as Record<string, string>)["x-evil"]),
        ).toContain("\u009b2J");
        // node:http sends the header as UTF-8 (C2 9B), read back as Latin-1: "Â" and 0x9B.
        expect(requests[1]?.error).toContain("\u009bjson");
        expect(r.stdout).toContain("\\u009bjson");
      } else {
        expectSafe(r.stdout);
        expect(r.stdout).toContain("\\u009bjson");
        // One-line fields never break the line: the newline and tab of the title are marks.
        expect(r.stdout).toContain("nl↵tab⇥!");
        expect(r.stdout).not.toMatch(/^tab/m);
      }
    }
  });
});

describe("send, replay: the ✗ line, the error, --verbose and --json", () => {
  it("send shows a receiver's hostile answer escaped everywhere", async () => {
    server = await hostileReceiver().start();
    const file = join(tmp.dir, "event.json");
    writeFileSync(file, JSON.stringify(event()));
    const args = [
      "send",
      file,
      "--to",
      server.url,
      "--secret",
      "whsec_hostile_12",
      "--skip-validation",
    ];
    const plain = await runMain([...args, "--verbose"]);
    expect(plain.code).toBe(1);
    expectSafe(plain.stdout);
    // The ✗ line quotes the event type and the body, on one line.
    expect(plain.stdout).toMatch(/✗ 500 {2}.*pwned.*nl↵tab⇥!.*HTTP 500: /);
    expect(plain.stdout).toContain("< x-evil: ");
    expectSafe(plain.stderr);
    expect(plain.stderr).toMatch(/^error: delivery failed: HTTP 500: /m);

    const json = await runMain([...args, "--json", "--verbose"]);
    const records = expectSafeJsonLines(json.stdout) as Array<Record<string, unknown>>;
    expect(records[0]).toMatchObject({
      type: "delivery",
      event_type: HOSTILE,
      response_body: HOSTILE,
    });
    expectSafe(json.stderr);
  });

  it("replay shows recorded event types and bodies escaped (lines, --dry-run, --json)", async () => {
    server = await hostileReceiver().start();
    const recording = join(tmp.dir, "events.ndjson");
    const body = Buffer.from(JSON.stringify(event()));
    const pretty = Buffer.from(`${ESC}[2J not json ${HOSTILE}`);
    writeFileSync(
      recording,
      `${exchangeLine(exchange(1, body))}\n${exchangeLine(exchange(2, pretty, { "content-type": "application/json" }))}\n`,
    );
    const base = ["replay", recording, "--to", server.url, "--secret", "whsec_hostile_12"];
    const plain = await runMain(base);
    expect(plain.code).toBe(1);
    expectSafe(plain.stdout);
    expectSafe(plain.stderr, "");
    expect(plain.stdout).toContain("nl↵tab⇥!");

    const dry = await runMain([...base, "--dry-run", "--include-rejected"]);
    expectSafe(dry.stdout);
    const json = await runMain([...base, "--json"]);
    expectSafeJsonLines(json.stdout);
    const dryJson = await runMain([...base, "--json", "--dry-run"]);
    expectSafeJsonLines(dryJson.stdout);
  });
});

describe("check's reports and errors", () => {
  it("pretty, json and junit reports quote a hostile answer escaped; JUnit stays valid XML", async () => {
    server = await hostileReceiver().start();
    const base = [
      "check",
      "--to",
      server.url,
      "--secret",
      "whsec_hostile_12",
      "--only",
      "valid-created",
    ];
    const pretty = await runMain(base);
    expect(pretty.code, pretty.stderr).toBe(1);
    expectSafe(pretty.stdout, "\\u001b]0;pwned\\u0007");
    expectSafe(pretty.stderr, "");

    const json = await runMain([...base, "--reporter", "json"]);
    const records = expectSafeJsonLines(json.stdout) as Array<Record<string, unknown>>;
    const firstCase = records.find((r) => r.type === "case");
    expect(String(firstCase?.got)).toContain("pwned");

    const junit = await runMain([...base, "--reporter", "junit"]);
    expectSafe(junit.stdout);
    expect(XMLValidator.validate(junit.stdout)).toBe(true);
    const out = join(tmp.dir, "check.xml");
    const toFile = await runMain([...base, "--reporter", "junit", "--output", out]);
    expect(toFile.code).toBe(1);
    expectSafe(toFile.stdout);
  });
});

describe("validate, templates and errors", () => {
  it("validate's verdict and --json escape the event type, paths and values", async () => {
    const file = join(tmp.dir, "event.json");
    const value = event({ id: "whev_1" }) as unknown as Record<string, unknown>;
    value[HOSTILE] = HOSTILE;
    writeFileSync(file, JSON.stringify(value));
    const plain = await runMain(["validate", file]);
    expect(plain.code).toBe(1);
    expectSafe(plain.stdout);
    const json = await runMain(["validate", file, "--json"]);
    expectSafeJsonLines(json.stdout);
  });

  it("an error quoting outside text (a file name) is escaped before our colours", async () => {
    const r = await runMain(["validate", join(tmp.dir, HOSTILE)], {
      env: { NO_COLOR: undefined, FORCE_COLOR: "1" },
    });
    expect(r.code).toBe(2);
    expectSafe(r.stderr);
    expect(r.stderr).toContain(`${ESC}[31merror:`);
  });

  it("verify shows a hostile signature header escaped (line, --json and the error)", async () => {
    const file = join(tmp.dir, "body.json");
    writeFileSync(file, "{}");
    const header = `t=${HOSTILE},s=00`;
    const plain = await runMain([
      "verify",
      file,
      "--secret",
      "whsec_hostile_12",
      "--signature",
      header,
    ]);
    expect(plain.code).toBe(1);
    expectSafe(plain.stdout);
    expectSafe(plain.stderr);
    const json = await runMain([
      "verify",
      file,
      "--secret",
      "whsec_hostile_12",
      "--signature",
      header,
      "--json",
    ]);
    expectSafeJsonLines(json.stdout);
  });

  it("Output.error, warn, note and hint sanitise whatever the caller passed", () => {
    const { io, stderr } = collectIo();
    const out = new Output(io);
    out.error(`delivery failed: ${HOSTILE}`, HOSTILE);
    out.warn(HOSTILE);
    out.note(HOSTILE);
    out.detail(HOSTILE);
    expectSafe(stderr());
  });

  it("templates show prints a checkout's template escaped (raw and --render)", async () => {
    const dir = join(tmp.dir, "templates");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir);
    const value = event({ type: "whitelabel-ticket-created", id: "{{event_id}}" });
    value.data.ticket.title = "\u009b2J\u202eevil\u2028";
    writeFileSync(join(dir, "whitelabel-ticket-created.json"), JSON.stringify(value));
    for (const extra of [[], ["--render"]]) {
      const r = await runMain(["templates", "--templates", dir, "show", "created", ...extra]);
      expect(r.code, r.stderr).toBe(0);
      expectSafe(r.stdout, "\\u009b2J\\u202eevil");
    }
  });
});

describe("the live UI", () => {
  /** Renders the UI with one request, opens its details; returns every frame drawn. */
  async function frames(ex: Exchange, shown: string): Promise<string[]> {
    const log = new RequestLog();
    const app = render(
      createElement(ListenApp, {
        log,
        url: "http://127.0.0.1:4000/",
        secret: undefined,
        forwardTo: undefined,
        onReplay: async () => ({
          status: 204,
          duration_ms: 1,
          error: null,
          headers: {},
          body: "",
          body_bytes: 0,
          body_truncated: false,
        }),
        onQuit: () => {},
      }),
    );
    // Each frame drawn wakes the waiters (a frame comes with every write: nothing is polled).
    const stdout = app.stdout as unknown as { write: (frame: string) => void };
    const waiters = new Set<() => void>();
    const write = stdout.write.bind(stdout);
    stdout.write = (drawn: string) => {
      write(drawn);
      for (const w of [...waiters]) w();
    };
    const frame = (test: (t: string) => boolean) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no such frame:\n${app.lastFrame() ?? ""}`));
        }, 10_000);
        const check = () => {
          const last = app.lastFrame() ?? "";
          if (!test(last)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(last);
        };
        waiters.add(check);
        check();
      });
    log.add(ex);
    const list = await frame((t) => t.includes("received 1"));
    // Without a secret the header says so plainly.
    expect(list).toContain("no secret: signatures are NOT checked");
    app.stdin.write("\r");
    const details = await frame((t) => t.includes("Headers"));
    expect(details).toContain(shown);
    app.unmount();
    return (app as unknown as { frames: string[] }).frames;
  }

  it("no frame of the list or the details holds a raw control", async () => {
    const json = await frames(exchange(1, Buffer.from(JSON.stringify(event()))), "pwned");
    const broken = Buffer.from(`${ESC}[2J${ESC}[H${ESC}[41mFAKE: all good\n${HOSTILE}`);
    const raw = await frames(exchange(2, broken), "FAKE: all good");
    for (const f of [...json, ...raw]) expect(isTerminalSafe(f), JSON.stringify(f)).toBe(true);
    expect(json.length + raw.length).toBeGreaterThan(4);
  });
});

function collectIo(): { io: CliIo; stderr: () => string } {
  const chunks: string[] = [];
  const sink = (into: string[]) =>
    ({
      write: (chunk: string) => {
        into.push(String(chunk));
        return true;
      },
    }) as unknown as CliIo["stderr"];
  const io: CliIo = {
    stdout: sink([]),
    stderr: sink(chunks),
    stdin: new PassThrough(),
    env: {},
    cwd: "/",
    clock: systemClock,
    signals: new FakeSignals(),
    exit: () => {
      throw new Error("exit() was not expected here");
    },
  };
  return { io, stderr: () => chunks.join("") };
}
