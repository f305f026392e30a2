import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sign } from "../../src/core/signing/signature.js";
import { listen } from "../../src/index.js";
import { lines, PAYLOADS, tempDir } from "../helpers/cli.js";
import { VirtualClock } from "../helpers/clock.js";
import { signedAt } from "../helpers/hmac.js";
import { post } from "../helpers/http.js";
import { runMain, startMain } from "../helpers/main.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const template = (name: string) =>
  readFileSync(join(PAYLOADS, `whitelabel-ticket-${name}.json`), "utf8");
const REPLAY_SECRET = "whsec_replay";

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

/** A hand-written recorded line of the created event, received `ms` after a fixed instant. */
const timedLine = (ms: number) =>
  JSON.stringify({
    type: "request",
    received_at: new Date(1_700_000_000_000 + ms).toISOString(),
    body: JSON.stringify(JSON.parse(template("created"))),
    rejected: false,
    event_type: "whitelabel-ticket-created",
    event_id: "whev_o48n74r1vsv642vex",
  });

/** Records real requests through `listen --record`'s code path. */
async function record(bodies: Array<{ body: string; signed?: boolean }>): Promise<string> {
  const file = join(tmp.dir, "events.ndjson");
  const listener = await listen({ port: 0, secret: "whsec_original", record: file });
  for (const { body, signed = true } of bodies) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (signed) headers["x-signature"] = sign("whsec_original", body);
    await post(listener.url, body, headers);
  }
  await listener.close();
  return file;
}

describe("replay", () => {
  it("re-sends recorded bodies byte for byte, re-signed with a fresh timestamp", async () => {
    const pretty = template("created"); // pretty-printed, as stored: not what send would produce
    const file = await record([
      { body: pretty },
      { body: JSON.stringify(JSON.parse(template("resolved"))) },
    ]);
    const r = await runMain(["replay", file, "--to", server.url, "--secret", REPLAY_SECRET]);
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.body.toString()).toBe(pretty);
    for (const req of server.requests) {
      const t = signedAt(req.body, req.headers["x-signature"], REPLAY_SECRET);
      expect(t).not.toBe(false);
      expect(Math.abs((t as number) - req.at)).toBeLessThanOrEqual(1);
    }
    expect(r.stdout).toContain("summary  sent 2  2xx 2");
  });

  it("--keep-signature sends the recorded header as it was", async () => {
    const file = await record([{ body: template("assigned") }]);
    const recorded = JSON.parse(readFileSync(file, "utf8").trim());
    const r = await runMain([
      "replay",
      file,
      "--to",
      server.url,
      "--keep-signature",
      "--secret",
      REPLAY_SECRET,
    ]);
    expect(r.code).toBe(0);
    expect(server.requests[0]?.headers["x-signature"]).toBe(recorded.headers["x-signature"]);
  });

  it("skips rejected requests unless --include-rejected, and filters by event, id and validity", async () => {
    const invalid = JSON.stringify({
      ...JSON.parse(template("resolved")),
      event_id: "whev_bbbbbbbbbbbbbbbbb",
      data: {},
    });
    const file = await record([
      { body: template("created") },
      { body: template("updated"), signed: false }, // 401 at the listener
      { body: invalid },
      { body: template("resolved") },
    ]);
    const run = async (...args: string[]) => {
      await server.stop();
      server = await new WebhookServer().start();
      const r = await runMain(["replay", file, "--to", server.url, "--json", ...args]);
      return lines(r.stdout)
        .filter((l) => l.includes('"delivery"'))
        .map((l) => JSON.parse(l).event_id);
    };
    expect(await run()).toEqual([
      "whev_o48n74r1vsv642vex",
      "whev_bbbbbbbbbbbbbbbbb",
      "whev_ydxpy1n9whgqkxm3q",
    ]);
    expect(await run("--include-rejected")).toHaveLength(4);
    const said = await runMain(["replay", file, "--to", server.url]);
    expect(said.stderr).toContain(
      "1 request(s) the listener rejected (401, 400, …) were skipped: --include-rejected replays them too",
    );
    const included = await runMain(["replay", file, "--to", server.url, "--include-rejected"]);
    expect(included.stderr).not.toContain("were skipped");
    const typo = await runMain(["replay", file, "--to", server.url, "--events", "creatd"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown event "creatd" (did you mean "created"?)');
    expect(await run("--only-valid")).toEqual(["whev_o48n74r1vsv642vex", "whev_ydxpy1n9whgqkxm3q"]);
    expect(await run("--events", "resolved")).toEqual([
      "whev_bbbbbbbbbbbbbbbbb",
      "whev_ydxpy1n9whgqkxm3q",
    ]);
    expect(await run("--ids", "whev_o48n74r1vsv642vex")).toEqual(["whev_o48n74r1vsv642vex"]);
    expect(await run("--since", "2999-01-01T00:00:00Z")).toEqual([]);
  });

  it("skips a cut or broken line with a warning naming its line number", async () => {
    const file = await record([{ body: template("created") }, { body: template("resolved") }]);
    const [first, second] = readFileSync(file, "utf8").trim().split("\n") as [string, string];
    writeFileSync(file, `${first}\nnot json at all\n${second}\n${second.slice(0, 40)}`);
    const r = await runMain(["replay", file, "--to", server.url]);
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(r.stderr).toContain(
      `${file}:2: not a complete recorded request (cut or broken line), skipped`,
    );
    expect(r.stderr).toContain(`${file}:4: not a complete recorded request`);
  });

  it("a hand-edited body_start out of place skips the line with a warning naming it", async () => {
    const compact = JSON.stringify(JSON.parse(template("created")));
    const file = await record([{ body: compact }]);
    const line = readFileSync(file, "utf8").trim();
    const record0 = JSON.parse(line);
    expect(record0.body_encoding).toBe("json");
    const edited = [99_999, 0, -1, 5, 1.5].map((start) =>
      JSON.stringify({ ...record0, body_start: start }),
    );
    writeFileSync(file, `${line}\n${edited.join("\n")}\n`);
    const r = await runMain(["replay", file, "--to", server.url]);
    expect(r.code).toBe(0);
    expect(server.requests.map((q) => q.body.toString())).toEqual([compact]);
    for (const n of [2, 3, 4, 5, 6]) expect(r.stderr).toContain(`${file}:${n}: `);
  });

  it("a named pipe: replay says it waits for a writer, then replays what comes", async () => {
    requireTool("mkfifo", ["--version"], "coreutils");
    const file = await record([{ body: JSON.stringify(JSON.parse(template("created"))) }]);
    const fifo = join(tmp.dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const main = startMain(["replay", fifo, "--to", server.url]);
    await main.waitFor(/is a pipe: waiting for a writer/, "stderr");
    // Written off the main thread: the replay opens its end on this same event loop.
    await writeFile(fifo, readFileSync(file));
    expect((await main.done).code).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  it("listen --record on a named pipe is refused with one line, before anything waits", async () => {
    requireTool("mkfifo", ["--version"], "coreutils");
    const fifo = join(tmp.dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const r = await runMain(["listen", "--port", "0", "--record", fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${fifo} is a pipe: --record needs a regular file`);
  });

  it("--timing original keeps the recorded gaps; --speed compresses them", async () => {
    const file = join(tmp.dir, "timed.ndjson");
    writeFileSync(file, `${[0, 700, 1400].map(timedLine).join("\n")}\n`);
    const clock = new VirtualClock();
    const original = await runMain(["replay", file, "--to", server.url, "--timing", "original"], {
      clock,
    });
    expect(original.code).toBe(0);
    expect(server.requests).toHaveLength(3);
    expect(clock.sleeps).toEqual([700, 700]);
    const fast = new VirtualClock();
    const quick = await runMain(
      ["replay", file, "--to", server.url, "--timing", "original", "--speed", "10"],
      { clock: fast },
    );
    expect(quick.code).toBe(0);
    expect(fast.sleeps).toEqual([70, 70]);
  });

  it("--timing original says how long it will wait when a gap is over a minute", async () => {
    const file = join(tmp.dir, "gaps.ndjson");
    const hours = 3 * 3_600_000 + 20 * 60_000;
    writeFileSync(file, `${[0, 30_000, 30_000 + hours].map(timedLine).join("\n")}\n`);
    const clock = new VirtualClock();
    const args = ["replay", file, "--to", server.url, "--timing", "original"];
    const r = await runMain(args, { clock });
    expect(r.code).toBe(0);
    expect(clock.sleeps).toEqual([30_000, hours]);
    expect(r.stderr).toContain("waiting 3 h 20 min before the next event (the recorded gap)");
    expect(r.stderr).toContain("--speed");
    expect(r.stderr).not.toContain("waiting 30 s");
  });

  it("--delay waits between sends", async () => {
    const file = await record([{ body: template("created") }, { body: template("resolved") }]);
    const clock = new VirtualClock();
    const r = await runMain(["replay", file, "--to", server.url, "--delay", "250"], { clock });
    expect(r.code).toBe(0);
    expect(server.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([250]);
  });

  it("replays a folder of JSON files in name order, and --dry-run sends nothing", async () => {
    const dir = join(tmp.dir, "events");
    mkdirSync(dir);
    writeFileSync(join(dir, "2-resolved.json"), template("resolved"));
    writeFileSync(join(dir, "1-created.json"), template("created"));
    writeFileSync(join(dir, "3-broken.json"), "{ nope");
    const dry = await runMain(["replay", dir, "--to", server.url, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(dry.stderr).toContain("3-broken.json:1:3: invalid JSON");
    const r = await runMain(["replay", dir, "--to", server.url]);
    expect(r.code).toBe(0);
    expect(server.requests.map((q) => q.body.toString())).toEqual([
      template("created"),
      template("resolved"),
    ]);
  });

  it("a file that is not a recording is exit 2, its warnings capped at ten", async () => {
    const file = join(tmp.dir, "notes.txt");
    writeFileSync(file, Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n"));
    const r = await runMain(["replay", file, "--to", server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr.match(/not a complete recorded request/g)).toHaveLength(10);
    expect(r.stderr).toContain("20 more unreadable line(s) skipped");
    expect(r.stderr).toContain(
      `no recorded request could be read from ${file} (30 unreadable line(s))`,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("a missing source is exit 2; a failing receiver is exit 1", async () => {
    const missing = await runMain(["replay", join(tmp.dir, "nope.ndjson"), "--to", server.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file");
    const file = await record([{ body: template("created") }]);
    server.respond((_r, _i, res) => {
      res.statusCode = 500;
      res.end("down");
    });
    const failing = await runMain(["replay", file, "--to", server.url]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain("HTTP 500: down");
  });
});

describe("export", () => {
  it("turns recorded events into editable, pretty template files", async () => {
    const file = await record([
      { body: JSON.stringify(JSON.parse(template("created"))) },
      { body: template("updated"), signed: false },
    ]);
    const out = join(tmp.dir, "captured");
    const r = await runMain(["export", file, "--out", out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(["whitelabel-ticket-created-whev_o48n74r1vsv642vex.json"]);
    expect(
      readFileSync(join(out, "whitelabel-ticket-created-whev_o48n74r1vsv642vex.json"), "utf8"),
    ).toBe(template("created"));
    const again = await runMain(["export", file, "--out", out]);
    expect(again.stderr).toContain("exists, skipped (--force to overwrite)");
    const sent = await runMain([
      "send",
      join(out, "whitelabel-ticket-created-whev_o48n74r1vsv642vex.json"),
      "--to",
      server.url,
    ]);
    expect(sent.code).toBe(0);
  });
});
