import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { DeliveryPrinter } from "../../src/cli/delivery-printer.js";
import type { CliIo } from "../../src/cli/io.js";
import { Output } from "../../src/cli/output.js";
import { systemClock } from "../../src/core/clock.js";
import { truncateBody } from "../../src/core/delivery/results.js";
import { lines } from "../helpers/cli.js";
import { FakeSignals, runMain } from "../helpers/main.js";

interface Seen {
  rawHeaders: string[];
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A plain HTTP server keeping each request's raw header list (duplicates and case as sent). */
async function rawServer(
  answer: (req: IncomingMessage) => [number, string] = () => [200, "ok"],
): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ rawHeaders: req.rawHeaders });
      const [status, body] = answer(req);
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as AddressInfo).port, seen };
}

const valuesOf = (raw: string[], name: string) =>
  raw.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name ? [raw[i + 1]] : []));

describe("send: headers", () => {
  it("-H replaces a default header of the same name, whatever its case", async () => {
    const { port, seen } = await rawServer();
    const r = await runMain([
      "send",
      "created",
      "--to",
      `http://127.0.0.1:${port}/`,
      "-H",
      "content-type: text/plain",
      "-H",
      "USER-AGENT: mine",
    ]);
    expect(r.code).toBe(0);
    const raw = seen[0]?.rawHeaders ?? [];
    expect(valuesOf(raw, "content-type")).toEqual(["text/plain"]);
    expect(valuesOf(raw, "user-agent")).toEqual(["mine"]);
    expect(valuesOf(raw, "x-signature")).toEqual([]);
  });

  it("-H for the signature header together with a secret is a usage error", async () => {
    const { port, seen } = await rawServer();
    const r = await runMain([
      "send",
      "created",
      "--to",
      `http://127.0.0.1:${port}/`,
      "--secret",
      "s3cret",
      "-H",
      "x-signature: t=1,s=00",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("both set the signature header");
    expect(seen).toHaveLength(0);
  });

  it("a header value with CR or LF is a usage error (exit 2)", async () => {
    const { port, seen } = await rawServer();
    const r = await runMain([
      "send",
      "created",
      "--to",
      `http://127.0.0.1:${port}/`,
      "-H",
      "X-Note: a\r\nX-Injected: b",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("line break");
    expect(seen).toHaveLength(0);
  });
});

describe("send: failures in one line", () => {
  it("https:// to a plain-HTTP port says the server does not speak TLS", async () => {
    const { port } = await rawServer();
    const r = await runMain(["send", "created", "--to", `https://127.0.0.1:${port}/`]);
    expect(r.code).toBe(1);
    const errors = lines(r.stderr).filter((l) => l.startsWith("error:"));
    expect(errors).toEqual([
      `error: delivery failed: the server at 127.0.0.1:${port} does not speak TLS; use http://`,
    ]);
    expect(r.stderr).not.toMatch(/insecure|openssl|ssl3|routines/i);
    expect(r.stderr).not.toContain("hint:");
  });
});

describe("send: --to without a scheme", () => {
  it.each(["localhost", "127.0.0.1"])("%s means http://, with a note", async (host) => {
    const { port, seen } = await rawServer();
    const r = await runMain(["send", "created", "--to", `${host}:${port}/webhooks`]);
    expect(r.code).toBe(0);
    expect(seen).toHaveLength(1);
    expect(r.stderr).toContain(`using http://${host}:${port}/webhooks (a local address)`);
  });

  it("another host is a usage error suggesting https://", async () => {
    const r = await runMain(["send", "created", "--to", "hooks.example.com/webhooks"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"hooks.example.com/webhooks" has no scheme');
    expect(r.stderr).toContain("https://hooks.example.com/webhooks");
  });
});

describe("send: response_body", () => {
  it("is capped at 2048 bytes of UTF-8, not characters", async () => {
    const { port } = await rawServer(() => [500, "é".repeat(3000)]);
    const r = await runMain(["send", "created", "--to", `http://127.0.0.1:${port}/`, "--json"]);
    expect(r.code).toBe(1);
    const delivery = JSON.parse(lines(r.stdout)[0] as string) as { response_body: string };
    expect(Buffer.byteLength(delivery.response_body, "utf8")).toBeLessThanOrEqual(2048);
    expect(Buffer.byteLength(delivery.response_body, "utf8")).toBeGreaterThan(2040);
    expect(delivery.response_body).toMatch(/^é+…$/);
  });

  it("truncateBody never cuts a character and leaves short bodies alone", () => {
    expect(truncateBody("short")).toBe("short");
    const emoji = truncateBody("😀".repeat(1000));
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(2048);
    expect(emoji).toMatch(/^(😀)+…$/u);
    expect(truncateBody("a".repeat(2048))).toBe("a".repeat(2048));
  });
});

describe("send --count on a terminal", () => {
  it("the progress line never shares a line with result lines", async () => {
    // One "screen": stdout and stderr write to the same terminal, as they do in a shell.
    let screen = "";
    const terminal = () => {
      const stream = new Writable({
        write(chunk, _enc, done) {
          screen += chunk.toString();
          done();
        },
      }) as Writable & { isTTY?: boolean };
      stream.isTTY = true;
      return stream;
    };
    const io = {
      stdout: terminal(),
      stderr: terminal(),
      stdin: process.stdin,
      env: { NO_COLOR: "1" },
      cwd: process.cwd(),
      clock: systemClock,
      signals: new FakeSignals(),
    } as unknown as CliIo;
    const printer = new DeliveryPrinter(new Output(io), { total: 3 });
    const result = {
      event_type: "whitelabel-ticket-created",
      event_id: "whev_x",
      method: "POST" as const,
      url: "http://127.0.0.1/",
      status: 200,
      ok: true,
      attempts: 1,
      duration_ms: 1,
      error: null,
      response_body: "ok",
      response_headers: null,
    };
    printer.progress();
    printer.result(result);
    await new Promise((r) => setImmediate(r));
    printer.progress();
    printer.result(result);
    printer.result(result);
    printer.summary(
      {
        sent: 3,
        ok: 3,
        non_2xx: 0,
        errors: 0,
        p50_ms: 1,
        p90_ms: 1,
        p99_ms: 1,
        duration_ms: 3,
        requests_per_second: 1000,
      },
      false,
    );
    // Render what a terminal shows: \r returns to column 0, ESC[K clears to the end of the line.
    const shown: string[] = [];
    for (const line of screen.split("\n")) {
      let row = "";
      let col = 0;
      for (let i = 0; i < line.length; i++) {
        if (line[i] === "\r") col = 0;
        else if (line.startsWith("\x1b[K", i)) {
          row = row.slice(0, col);
          i += 2;
        } else {
          row = row.slice(0, col) + line[i] + row.slice(col + 1);
          col++;
        }
      }
      shown.push(row);
    }
    const results = shown.filter((l) => l.includes("✓ 200"));
    expect(results).toHaveLength(3);
    for (const l of results) expect(l).not.toContain("sent ");
  });
});

/** The `error` of one delivery to a local port, from `send --json`. */
async function errorOfSend(port: number): Promise<string> {
  const to = `http://127.0.0.1:${port}/`;
  const r = await runMain(["send", "created", "--to", to, "--retries", "0", "--json"]);
  return String(lines(r.stdout).map((l) => JSON.parse(l))[0].error);
}

describe("the answer quoted in send's error line", () => {
  it("is cut by display width, with a marker, never inside a character", async () => {
    const wide = "日本語のエラー".repeat(40);
    const { port } = await rawServer(() => [500, JSON.stringify({ error: wide })]);
    const error = await errorOfSend(port);
    const quoted = error.slice(error.indexOf(": ") + 2);
    expect(quoted.endsWith("…")).toBe(true);
    expect(quoted).not.toContain("\uFFFD");
    // Each of these characters is two columns wide: 120 columns hold 59 of them and the marker.
    expect(quoted).toBe(`${`{"error":"${wide}`.slice(0, 10 + 54)}…`);
  });

  it("is quoted whole when it fits", async () => {
    const { port } = await rawServer(() => [500, '{"error":"short"}']);
    expect(await errorOfSend(port)).toMatch(/: \{"error":"short"\}$/);
  });
});
