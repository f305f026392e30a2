// `inspect` in a real terminal (tmux): a recording of 3,000 lines is searched, an event is
// edited in $VISUAL and sent to an app, and the new row is exported as a template and a HAR.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTemplate } from "../../src/core/events/templates.js";
import { receive } from "../../src/core/receiving/receive.js";
import { LineEncoder } from "../../src/core/recording/line-encoder.js";
import { sign } from "../../src/core/signing/signature.js";
import { BIN, ROOT } from "../helpers/cli.js";
import { BUNDLED } from "../helpers/lookup.js";
import { tmuxSession } from "../helpers/tmux.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const SESSION = "inspect";
const SECRET = "whsec_inspect_tmux_0123456789";
const { tmux, screenWhere, kill } = tmuxSession("inspect", SESSION);

/** A recording as `listen --record` writes it: `count` created events titled "Ticket N". */
function writeRecording(file: string, count: number): void {
  const template = loadTemplate("created", BUNDLED).value as {
    event_id: string;
    data: { ticket: { title: string } };
  };
  const encoder = new LineEncoder();
  const lines: string[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const event = structuredClone(template);
    event.event_id = `whev_${String(seq).padStart(17, "0")}`;
    event.data.ticket.title = `Ticket ${seq}`;
    const request = {
      method: "POST",
      url: "/",
      headers: { "content-type": "application/json" },
      body: Buffer.from(JSON.stringify(event)),
    };
    const verdict = receive(request, {});
    const exchange = {
      seq,
      receivedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, seq % 60)),
      request,
      verdict,
      status: 200,
      forward: null,
      aborted: false,
    };
    lines.push(`${encoder.line(exchange)}\n`);
  }
  writeFileSync(file, lines.join(""));
}

describe("inspect in a real terminal (tmux)", () => {
  const dir = mkdtempSync(join(tmpdir(), "inspect-tmux-"));
  const exports = join(dir, "exports");
  const app = new WebhookServer((_req, _i, res) => res.end("thanks"));

  beforeAll(async () => {
    requireTool("tmux", ["-V"], "tmux");
    await app.start();
    const recording = join(dir, "events.ndjson");
    writeRecording(recording, 3000);
    const editor = join(dir, "edit.sh");
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/"Ticket 2999"/"Edited in tmux ✓"/' "$1"\n`);
    const command = [
      "env -u NO_COLOR TERM=xterm-256color",
      `VISUAL='sh ${editor}'`,
      `node ${BIN} inspect ${recording} --to ${app.url} --secret ${SECRET} --export-dir ${exports};`,
      'echo "exit code $?"; sleep 60',
    ].join(" ");
    tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "30", "-c", ROOT, command);
    tmux("set-option", "-t", SESSION, "window-size", "manual");
  });
  afterAll(async () => {
    kill();
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens at the newest row of the recording", async () => {
    const shown = await screenWhere((t) => t.includes("3,000/3,000"), "3,000 rows");
    expect(shown).toContain("ticket-hooks inspect");
    expect(shown).toContain("Ticket 3000");
  });

  it("/ searches the recording", async () => {
    tmux("send-keys", "-t", SESSION, "/");
    tmux("send-keys", "-t", SESSION, "-l", "Ticket 2999");
    tmux("send-keys", "-t", SESSION, "Enter");
    const found = await screenWhere(
      (t) => t.includes("1/1 ") && !t.includes("Ticket 3000"),
      "one match",
    );
    expect(found).toContain('search "Ticket 2999"');
  });

  it("e edits the event, signs it and sends it to --to: a new row after the recording's", async () => {
    tmux("send-keys", "-t", SESSION, "e");
    await screenWhere(
      (t) => t.includes("sent edited #2999 as #3001: app answered 200"),
      "the edit sent",
    );
    expect(app.requests).toHaveLength(1);
    const [sent] = app.requests;
    expect(sent?.body.toString()).toContain('"title": "Edited in tmux ✓"');
    const header = Object.values(sent?.headers ?? {}).find(
      (v): v is string => typeof v === "string" && /^t=\d+,s=/.test(v),
    );
    const t = Number(/^t=(\d+)/.exec(header ?? "")?.[1]);
    expect(header).toBe(sign(SECRET, sent?.body ?? Buffer.alloc(0), t));
    tmux("send-keys", "-t", SESSION, "Escape");
    const all = await screenWhere((t) => t.includes("3,001/3,001"), "3,001 rows");
    expect(all.split("\n").find((l) => l.startsWith("›"))).toMatch(/✎2999.*Edited in tmux ✓/);
  });

  it("x and h write the selected row as a JSON template and a HAR", async () => {
    const base = join(exports, "whitelabel-ticket-created-whev_00000000000002999");
    tmux("send-keys", "-t", SESSION, "x");
    await screenWhere((t) => t.includes(`#3001 written to ${base}.json`), "the template written");
    expect(readFileSync(`${base}.json`, "utf8")).toContain('"title": "Edited in tmux ✓"');
    tmux("send-keys", "-t", SESSION, "h");
    await screenWhere((t) => t.includes(".har"), "the HAR written");
    const har = JSON.parse(readFileSync(`${base}.har`, "utf8"));
    expect(har.log.entries[0].request.url).toBe(app.url);
    expect(existsSync(`${base}-2.json`)).toBe(false);
  });

  it("q quits", async () => {
    tmux("send-keys", "-t", SESSION, "q");
    const end = await screenWhere((t) => t.includes("exit code"), "the exit");
    // The recording's rows only; the edited one was sent, not recorded.
    expect(end).toContain(`Inspected 3,000 request(s) from ${join(dir, "events.ndjson")}; sent 1`);
    expect(end).toContain("exit code 0");
  });
});
