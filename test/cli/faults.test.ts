import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Listener, listen } from "../../src/index.js";
import { lines, startCli, tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { spawnListener } from "../helpers/listener-process.js";
import { runMain, startMain } from "../helpers/main.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";

let tmp: ReturnType<typeof tempDir>;
let listener: Listener | undefined;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  await listener?.close();
  listener = undefined;
  tmp.cleanup();
});

/**
 * The recorded lines. A kill -9 can cut the last line short (readers skip it, as the README
 * says): only lines that end with their line break are whole.
 */
const records = (file: string) => {
  const text = readFileSync(file, "utf8");
  return lines(text.slice(0, text.lastIndexOf("\n") + 1)).map(
    (l) => JSON.parse(l) as Record<string, unknown>,
  );
};

/** Writes raw bytes on a fresh connection; resolves with everything the server sent back. */
function raw(
  url: string,
  ...parts: string[]
): { sent: Promise<string>; write(s: string): void; end(): void } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let answer = "";
  socket.setEncoding("utf8").on("data", (d: string) => {
    answer += d;
  });
  for (const p of parts) socket.write(p);
  return {
    sent: new Promise((resolve) => socket.on("close", () => resolve(answer))),
    write: (s) => socket.write(s),
    end: () => socket.end(),
  };
}

describe("answered means recorded", () => {
  it("after kill -9 under load, every answered request is in the file", async () => {
    const runs = Number(process.env.FAULTS_KILL_RUNS ?? 1);
    for (let run = 0; run < runs; run++) {
      const file = join(tmp.dir, `kill-${run}.ndjson`);
      const cli = startCli(["listen", "--port", "0", "--json", "--record", file]);
      const ready = JSON.parse(await cli.waitForLine((l) => l.includes('"ready"')));
      const agent = new Agent({ keepAlive: true, maxSockets: 32 });
      const answered = new Set<string>();
      let next = 0;
      let killed = false;
      const one = (id: string) =>
        new Promise<void>((resolve) => {
          const body = JSON.stringify({ event_type: "whitelabel-ticket-created", event_id: id });
          const req = request(
            ready.url,
            { method: "POST", agent, headers: { "content-type": "application/json" } },
            (res) => {
              res.resume();
              res.on("end", () => {
                if (res.statusCode === 200) answered.add(id);
                resolve();
              });
              res.on("error", () => resolve());
            },
          );
          req.on("error", () => resolve());
          req.end(body);
        });
      const loop = async () => {
        while (!killed) await one(`id-${next++}`);
      };
      const loops = Array.from({ length: 32 }, loop);
      // Kill once the listener is busy; requests keep coming until it is gone.
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (answered.size >= 500 + run * 150) {
            clearInterval(check);
            cli.signal("SIGKILL");
            resolve();
          }
        }, 5);
      });
      await cli.exited;
      killed = true;
      await Promise.all(loops);
      agent.destroy();
      const recorded = new Set(records(file).map((r) => r.event_id as string));
      const missing = [...answered].filter((id) => !recorded.has(id));
      if (runs > 1)
        console.log(
          `run ${run + 1}: answered ${answered.size}, recorded ${recorded.size}, answered but not recorded ${missing.length}`,
        );
      expect(missing).toEqual([]);
      expect(answered.size).toBeGreaterThan(0);
    }
  }, 120_000);

  it("a full disk: 503, one warning with the count, a summary and exit 1", async () => {
    const running = startMain(["listen", "--port", "0", "--record", "/dev/full", "--no-ui"]);
    const [, url] = await running.waitFor(/Ready: listening on (\S+)/);
    const event = '{"event_type":"whitelabel-ticket-created"}';
    const first = await post(url as string, event);
    const second = await post(url as string, event);
    expect([first.status, second.status]).toEqual([503, 503]);
    expect(first.body).toMatch(/cannot be written/);
    running.signals.send("SIGINT");
    const result = await running.done;
    expect(result.code).toBe(1);
    expect(result.stderr.match(/answering 503 until it can be written/g)).toHaveLength(1);
    expect(result.stderr).toMatch(/0 request\(s\) recorded so far/);
    expect(result.stderr).toMatch(/Summary: /);
    expect(result.stderr).toMatch(/2 request\(s\) could not be recorded to \/dev\/full/);
  });

  it("a valid request followed by garbage in one packet is recorded with the 400 the client got", async () => {
    const file = join(tmp.dir, "garbage.ndjson");
    listener = await listen({ port: 0, record: file });
    const body = '{"event_type":"whitelabel-ticket-created"}';
    const { sent } = raw(
      listener.url,
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}GARBAGE\r\n\r\n`,
    );
    const answer = await sent;
    expect(answer).toMatch(/^HTTP\/1.1 400/);
    expect(answer).not.toMatch(/HTTP\/1.1 200/);
    await listener.close();
    listener = undefined;
    expect(records(file).map((r) => r.status)).toEqual([400]);
  });

  it("trickled headers are cut at the configured time, answered 408 and recorded", async () => {
    const file = join(tmp.dir, "slow.ndjson");
    listener = await listen({
      port: 0,
      record: file,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
    });
    const answer = await raw(listener.url, "POST / HTTP/1.1\r\nHost: x\r\n").sent;
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    await listener.close();
    listener = undefined;
    expect(records(file)).toMatchObject([
      { status: 408, aborted: true, error: expect.stringMatching(/headers .* within 300 ms/) },
    ]);
  });

  it("a trickled body (or a lying Content-Length) is cut at the request timeout, 408, recorded", async () => {
    const file = join(tmp.dir, "slow-body.ndjson");
    listener = await listen({
      port: 0,
      record: file,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
    });
    const answer = await raw(
      listener.url,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"event',
    ).sent;
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    await listener.close();
    listener = undefined;
    expect(records(file)).toMatchObject([{ status: 408, aborted: true, body: '{"event' }]);
  });
});

describe("malformed HTTP", () => {
  it("is said as malformed in the lines, not as a client that disconnected", async () => {
    const main = startMain(["listen", "--port", "0"]);
    const [, url] = (await main.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/)/, "stderr")) as string[];
    const answer = await raw(url as string, "POST /a b HTTP/1.1\r\nHost: x\r\n\r\n").sent;
    expect(answer).toMatch(/^HTTP\/1.1 400/);
    await main.waitFor(/malformed HTTP request \(HPE_/, "stdout");
    main.signals.send("SIGINT");
    const done = await main.done;
    expect(done.stdout).not.toContain("client disconnected");
  });
});

describe("deep JSON", () => {
  it("a 5000-deep event_type gets a status from the map and a line, never a 500", async () => {
    const file = join(tmp.dir, "deep.ndjson");
    listener = await listen({ port: 0, record: file });
    const body = `{"event_type": ${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const answer = await post(listener.url, body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/nested deeper than 100 levels/);
    await listener.close();
    listener = undefined;
    expect(records(file)).toMatchObject([{ status: 400 }]);
  });

  it("past 100 levels (a line jq 1.6 and Python's json read) is a 400, recorded as a flat string", async () => {
    const file = join(tmp.dir, "deep.ndjson");
    listener = await listen({ port: 0, record: file });
    // Objects are the worst case for jq (two levels each).
    const deep = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
    const bodies = [deep(101), `${"[".repeat(100_000)}${"]".repeat(100_000)}`];
    for (const body of bodies) {
      const answer = await post(listener.url, body);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body).error).toMatch(/nested deeper than 100 levels/);
    }
    expect((await post(listener.url, deep(100))).status).not.toBe(400);
    await listener.close();
    listener = undefined;
    const recorded = records(file);
    expect(recorded.map((r) => r.body_encoding)).toEqual(["utf8", "utf8", "json"]);
    expect(recorded.map((r) => r.body)).toEqual([...bodies, JSON.parse(deep(100))]);
    requireTool("jq", ["--version"], "jq");
    requireTool("python3", ["--version"], "python3");
    const jq = spawnSync("jq", ["-c", ".seq"], { input: readFileSync(file) });
    expect(jq.stderr.toString()).toBe("");
    expect(jq.stdout.toString()).toBe("1\n2\n3\n");
    const python = spawnSync(
      "python3",
      ["-c", "import json,sys\nfor l in sys.stdin: print(json.loads(l)['seq'])"],
      { input: readFileSync(file) },
    );
    expect(python.stdout.toString()).toBe("1\n2\n3\n");
  });

  it("recordings of bodies nested 1k to 1M deep go through every reader and printer", async () => {
    const server = await new WebhookServer().start();
    try {
      for (const n of [1000, 5000, 100_000, 1_000_000]) {
        const body = `{"event_type":"whitelabel-ticket-created","data":{"x":${"[".repeat(n)}${"]".repeat(n)}}}`;
        const file = join(tmp.dir, `deep-${n}.ndjson`);
        const head = `{"type":"request","seq":1,"received_at":"2026-01-01T12:00:00.000Z","method":"POST","path":"/","headers":{"content-type":"application/json"},"status":200,"rejected":false,"error":null,"body_encoding":"utf8","body":`;
        writeFileSync(file, `${head}${JSON.stringify(body)}}\n`);
        const to = ["--to", server.url];
        const runs = [
          ["replay", file, "--dry-run"],
          ["replay", file, "--dry-run", "--json"],
          ["replay", file, "--dry-run", "--where", "data.x=1"],
          ["replay", file, ...to, "--secret", "whsec_deep_corpus_secret"],
          ["export", file, "-o", join(tmp.dir, `json-${n}`)],
          ["export", file, "--format", "curl", "-o", join(tmp.dir, `curl-${n}`), ...to],
          ["export", file, "--format", "har", "-o", join(tmp.dir, `har-${n}`), ...to],
        ];
        for (const argv of runs) {
          const r = await runMain(argv);
          expect(r.stderr, `${n}: ${argv.join(" ")}`).not.toMatch(/stack|unexpected/i);
          expect([0, 1], `${n}: ${argv.join(" ")}`).toContain(r.code);
        }
        const received = server.requests.at(-1)?.body;
        expect(received?.length).toBe(Buffer.byteLength(body));
        // A file given as an event is gated at 1,000 levels: a usage error, never a crash.
        const event = join(tmp.dir, `event-${n}.json`);
        writeFileSync(event, body);
        for (const argv of [
          ["validate", event],
          ["send", event, "--dry-run"],
          ["send", "created", "--data", event, "--dry-run"],
        ]) {
          const r = await runMain(argv);
          expect(r.code, `${n}: ${argv.join(" ")}`).toBe(2);
          expect(r.stderr).toMatch(/nested deeper than 1000 levels/);
        }
      }
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("invalid JSON nested 100k deep reports the real position", async () => {
    listener = await listen({ port: 0 });
    const answer = await post(listener.url, `${"[".repeat(100_000)}x`);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(/line 1, column 100001/);
  });
});

describe("bounded: stdout is for watching", () => {
  it("a stalled --json reader: lines past 16 MB are dropped with one counted warning, the recording is complete", async () => {
    const file = join(tmp.dir, "stalled.ndjson");
    const l = await spawnListener(file);
    const body = JSON.stringify({ event_type: "x", pad: "p".repeat(900_000) });
    for (let i = 0; i < 40; i++) expect((await post(l.url, body)).status).toBe(200);
    l.child.kill("SIGTERM");
    // What was queued (16 MB at most) is still delivered once the reader reads again.
    l.child.stdout.resume();
    expect(await l.exited).toBe(0);
    expect(l.stderr().match(/stdout is not being read/g)).toHaveLength(1);
    expect(l.stderr()).toMatch(/\d+ --json line\(s\) dropped/);
    expect(records(file)).toHaveLength(40);
  }, 60_000);

  it("listen --json | head -1: the reader going away stops the output, not the listener", async () => {
    const file = join(tmp.dir, "head.ndjson");
    const l = await spawnListener(file);
    l.child.stdout.destroy();
    for (let i = 0; i < 5; i++) expect((await post(l.url, '{"a":1}')).status).toBe(200);
    expect(l.child.exitCode).toBeNull();
    l.child.kill("SIGTERM");
    expect(await l.exited).toBe(0);
    expect(records(file)).toHaveLength(5);
  }, 30_000);
});

describe("bounded: the bodies all requests hold together", () => {
  /** A connection that declares a body of `declared` bytes and sends `sent` of them. */
  function holding(url: string, declared: number, sent: number) {
    const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`;
    const c = raw(url, head, `{"pad":"${"p".repeat(sent - 8)}`);
    return c;
  }

  it("past --max-held, a request is answered 503 with Retry-After, said once, and recorded; aborted ones keep their first bytes", async () => {
    const file = join(tmp.dir, "held.ndjson");
    const main = startMain([
      "listen",
      "--port",
      "0",
      "--max-body",
      "100000",
      "--max-held",
      "200000",
      "--record",
      file,
    ]);
    const [, url] = (await main.waitFor(/(http:\/\/127\.0\.0\.1:\d+\/)/, "stderr")) as string[];
    const conns = [0, 1, 2].map(() => holding(url as string, 100_000, 90_000));
    // Two of them fit in 200,000 bytes; whichever goes past the bound is turned away.
    const turnedAway = await Promise.race(conns.map((c, i) => c.sent.then((a) => ({ a, i }))));
    expect(turnedAway.a).toMatch(/^HTTP\/1.1 503/);
    expect(turnedAway.a).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(turnedAway.a).toMatch(/\r\nconnection: close\r\n/i);
    await main.waitFor(/503 with Retry-After/, "stderr");
    // The two still held go away: recorded as aborted, with their first 16 KiB only.
    for (const [i, c] of conns.entries()) if (i !== turnedAway.i) c.end();
    await main.waitFor(
      /client disconnected after 90000 bytes[^\n]*\n[^\n]*client disconnected after 90000 bytes/,
      "stdout",
    );
    // The memory is given back: a request that fits is answered as usual.
    expect((await post(url as string, '{"a":1}')).status).toBe(200);
    main.signals.send("SIGINT");
    const done = await main.done;
    expect(done.stderr.match(/503 with Retry-After/g)).toHaveLength(1);
    const recorded = records(file);
    expect(recorded).toHaveLength(4);
    const busy = recorded.filter((r) => r.status === 503);
    expect(busy).toMatchObject([{ error: expect.stringMatching(/^busy: /), aborted: false }]);
    expect(String(busy[0]?.body ?? "").length).toBeLessThanOrEqual(16_384);
    const aborted = recorded.filter((r) => r.aborted === true);
    expect(aborted).toHaveLength(2);
    for (const r of aborted) {
      expect(r).toMatchObject({
        status: null,
        error: "client disconnected after 90000 bytes of the body; its first 16384 bytes recorded",
      });
      expect(r.body).toBe(`{"pad":"${"p".repeat(16_384 - 8)}`);
    }
  });
});
