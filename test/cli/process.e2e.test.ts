// The tests where a process is the point: bin/ticket-hooks.js itself (exit codes, the --version fast
// path, EPIPE), signals sent to a real process or its whole process group, settings node reads when
// it starts (NODE_EXTRA_CA_CERTS), and a real terminal (tmux). Everything else drives main()
// in-process (test/helpers/main.ts). These run the build, which the `cli` project's global setup
// makes fresh first.
import { spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BIN,
  lines,
  PAYLOADS,
  ROOT,
  type RunningCli,
  runCli,
  startCli,
  tempDir,
  terminalEnv,
} from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const CREATED = JSON.stringify(
  JSON.parse(readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json"), "utf8")),
);
const SECRET = "whsec_process_test";

function signed(body: string): Record<string, string> {
  const t = Math.floor(Date.now() / 1000);
  const s = createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex");
  return { "content-type": "application/json", "x-signature": `t=${t},s=${s}` };
}

let running: RunningCli | undefined;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(async () => {
  if (running) {
    running.signal("SIGKILL");
    await running.exited;
    running = undefined;
  }
  tmp.cleanup();
});

/** Starts `listen --port 0 --json …` as a process; resolves its URL from the ready line. */
async function startListener(args: string[], group = false): Promise<string> {
  running = startCli(["listen", "--port", "0", "--json", ...args], { group });
  const ready = JSON.parse(await running.waitForLine((l) => l.includes('"type":"ready"')));
  await running.waitForStderr("Ready: listening on");
  return ready.url;
}

describe("bin/ticket-hooks.js", () => {
  it.each(["--version", "-V"])("%s prints the package version (fast path)", async (flag) => {
    const r = await runCli([flag]);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("sets the process exit code from main(): 1 for an invalid event", async () => {
    const file = join(tmp.dir, "bad.json");
    writeFileSync(file, CREATED.replace('"is_open":true', '"is_open":false'));
    const r = await runCli(["validate", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ invalid");
  });

  it("an unknown command is exit 2 with a suggestion", async () => {
    const r = await runCli(["valdate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Did you mean validate?");
  });

  it("a reader that goes away (| head) is not an error: exit 0, no stack trace", async () => {
    // `send --dry-run --count 3000` prints megabytes; the reader closes after the first chunk.
    const child = spawn(
      process.execPath,
      [BIN, "send", "created", "--count", "3000", "--dry-run", "--to", "http://127.0.0.1:9/"],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
  });

  it("the package's main imports in plain node (ESM, no build tools) and validates", () => {
    // As a user's script does: `import { validateEvent } from "ticket-hooks"` (dist/index.js).
    const script = `const th = await import("ticket-hooks");
const event = JSON.parse(${JSON.stringify(CREATED)});
const short = { ...event, data: { ticket: { ...event.data.ticket, language: "" } } };
console.log(JSON.stringify([th.validateEvent(event).valid, th.validateEvent(short).valid]));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("[true,false]");
  });

  it("reads standard input from a real pipe", async () => {
    const r = await runCli(["sign", "-", "--secret", "abc", "--timestamp", "1700000000"], {
      input: readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json")),
    });
    // printf '1700000000.' | cat - payloads/whitelabel-ticket-created.json | openssl dgst -sha256 -hmac abc
    expect(r.stdout).toBe(
      "X-Signature: t=1700000000,s=e9e4044eaec335d6c75ca16b0075232be5c8588fd4055bbf3520863543bd9077\n",
    );
  });
});

describe("signals to a real process", () => {
  it.each<NodeJS.Signals>(["SIGINT", "SIGTERM"])(
    "listen: %s prints the summary and exits 0, in one process",
    async (signal) => {
      const url = await startListener(["--secret", SECRET]);
      await post(url, CREATED, signed(CREATED));
      await running?.waitForLine((l) => l.includes('"type":"request"'));
      const pid = running as RunningCli;
      running = undefined;
      pid.signal(signal);
      const result = await pid.exited;
      expect(result.code).toBe(0);
      expect(result.stderr).toContain("Summary: received 1, valid 1");
    },
  );

  it("listen: a Ctrl-C that reaches the whole process group stops once: summary, recording, exit 0", async () => {
    const file = join(tmp.dir, "group.ndjson");
    const url = await startListener(["--secret", SECRET, "--record", file], true);
    for (let i = 0; i < 3; i++) await post(url, CREATED, signed(CREATED));
    await running?.waitForLine(() => (running?.stdoutLines.length ?? 0) >= 4);
    const cli = running as RunningCli;
    running = undefined;
    cli.signalGroup("SIGINT");
    const result = await cli.exited;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Summary: received 3, valid 3");
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(3);
  });

  it("listen runs as one node process (no re-launch)", async () => {
    await startListener([]);
    const cli = running as RunningCli;
    // ps lists the listener's child processes (none: it exits 1 with nothing to list).
    const children = spawnSync("ps", ["-o", "pid=", "--ppid", String(cli.pid)], {
      encoding: "utf8",
    });
    expect(children.stdout.trim()).toBe("");
    expect(spawnSync("ps", ["-o", "pid=", "-p", String(cli.pid)]).status).toBe(0); // ps works
  });

  it("demo --keep-open: SIGINT stops it with exit 0", async () => {
    running = startCli(["demo", "--keep-open"]);
    await running.waitForStderr("Ctrl-C to stop");
    const cli = running;
    running = undefined;
    cli.signal("SIGINT");
    const result = await cli.exited;
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr).toContain("Demo passed");
  });

  describe("send", () => {
    let server: WebhookServer;
    let held: Array<() => void>;
    beforeEach(async () => {
      held = [];
      // Holds every answer until the test lets it go: requests stay in flight.
      server = await new WebhookServer((_r, _i, res) => held.push(() => res.end("ok"))).start();
    });
    afterEach(async () => {
      for (const answer of held) answer();
      await server.stop();
    });

    it("Ctrl-C lets requests in flight finish, prints the summary and exits 130", async () => {
      const args = ["send", "created", "--to", server.url, "--count", "50", "--concurrency", "2"];
      running = startCli(args);
      await server.waitFor(2);
      const cli = running;
      running = undefined;
      cli.signal("SIGINT");
      await cli.waitForStderr("Interrupted");
      for (const answer of held) answer();
      const result = await cli.exited;
      expect(result.code).toBe(130);
      expect(server.requests).toHaveLength(2);
      expect(lines(result.stdout).filter((l) => l.startsWith("✓ 200"))).toHaveLength(2);
      expect(result.stdout).toMatch(/summary {2}sent 2 {2}2xx 2/);
      expect(result.stderr).toContain("interrupted: 2 of 50 sent");
    });

    it("a second Ctrl-C does not wait for requests in flight: exit 130", async () => {
      running = startCli(["send", "created", "--to", server.url, "--count", "50"]);
      await server.waitFor(1);
      const cli = running;
      running = undefined;
      cli.signal("SIGINT");
      await cli.waitForStderr("Interrupted");
      cli.signal("SIGINT");
      const result = await cli.exited;
      expect(result.code).toBe(130);
      expect(held).toHaveLength(1); // never answered
    });
  });
});

describe("settings node reads when it starts", () => {
  let server: Server;
  let url: string;
  beforeEach(async () => {
    const tls = join(import.meta.dirname, "../fixtures/tls");
    server = createServer(
      { key: readFileSync(join(tls, "key.pem")), cert: readFileSync(join(tls, "cert.pem")) },
      (_req, res) => res.end("ok"),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("send trusts the certificate given through NODE_EXTRA_CA_CERTS", async () => {
    const cert = join(import.meta.dirname, "../fixtures/tls/cert.pem");
    // Without it the same send is a TLS error: send-https.test.ts.
    const r = await runCli(["send", "resolved", "--to", url], {
      env: { NODE_EXTRA_CA_CERTS: cert },
    });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0]).toMatch(/^✓ 200/);
  });
});

describe("a real terminal (tmux)", () => {
  const socket = `ticket-hooks-test-${process.pid}`;
  const tmux = (...args: string[]) =>
    spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8", env: terminalEnv() });
  afterEach(() => {
    tmux("kill-server");
  });

  /** Polls the terminal's screen (tmux has no event to wait on) for at most 10 s. */
  async function screenShows(test: RegExp): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const screen = tmux("capture-pane", "-p", "-t", "th").stdout;
      if (test.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the screen never showed ${test}:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("listen shows the live UI, lists a request, and q quits with exit 0", async () => {
    requireTool("tmux", ["-V"], "tmux");
    const command = `NO_COLOR=1 ${process.execPath} ${BIN} listen --port 0 --secret ${SECRET}; echo "exit=$?"; sleep 30`;
    expect(tmux("new-session", "-d", "-s", "th", "-x", "140", "-y", "30", command).status).toBe(0);
    const screen = await screenShows(/http:\/\/127\.0\.0\.1:\d+\//);
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(screen)?.[0] as string;
    expect((await post(url, CREATED, signed(CREATED))).status).toBe(200);
    await screenShows(/whitelabel-ticket-created.*Help with Account/);
    tmux("send-keys", "-t", "th", "q");
    await screenShows(/exit=0/);
  });
});
