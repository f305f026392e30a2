// `e` in the live UI with vim as the editor, in a real terminal (tmux): vim queries the terminal
// as it starts, and the terminal's answers must reach vim, not the UI (whose `c` would print a
// curl command nobody asked for); the keys of `:wq` must reach vim too. Then the edit is sent.
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, PAYLOADS, ROOT, tempDir } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { freePort, tmuxSession } from "../helpers/tmux.js";
import { requireTool } from "../helpers/tools.js";
import { WebhookServer } from "../helpers/webhook-server.js";

const SESSION = "edit";
const SECRET = "whsec_editor_tmux_0123456789";
const { tmux, screen, screenWhere, kill } = tmuxSession("editor", SESSION);

/** No curl command was printed above the list (`c`), in the screen or its scrollback. */
const noCurlPrinted = () =>
  !/curl command for|^curl |printf '/m.test(tmux("capture-pane", "-p", "-S", "-", "-t", SESSION));

describe("e with vim in a real terminal (tmux)", () => {
  const home = tempDir();
  let app: WebhookServer;
  let url = "";
  beforeAll(async () => {
    requireTool("tmux", ["-V"], "tmux");
    requireTool("vim", ["--version"], "vim");
    app = await new WebhookServer().start();
    url = `http://127.0.0.1:${await freePort()}/`;
    // A home of its own: vim starts with the system's defaults, as on a fresh machine.
    tmux(
      "new-session",
      "-d",
      "-s",
      SESSION,
      "-x",
      "120",
      "-y",
      "30",
      "-c",
      ROOT,
      `env -u NO_COLOR HOME=${home.dir} EDITOR=vim TERM=xterm-256color node ${BIN} listen --port ${new URL(url).port} --secret ${SECRET} --forward-to ${app.url}; echo "exit=$?"`,
    );
    tmux("set-option", "-w", "-t", SESSION, "remain-on-exit", "on");
    await screenWhere((t) => t.includes("Waiting for events"), "the waiting list");
  });
  afterAll(async () => {
    kill();
    await app.stop();
    home.cleanup();
  });

  it("vim gets the terminal whole: its answers and :wq go to vim, and the edit is sent", async () => {
    const body = readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json"), "utf8");
    const { sign } = await import("../../src/core/signing/signature.js");
    const t = Math.floor(Date.now() / 1000);
    await post(url, body, {
      "content-type": "application/json",
      "x-signature": sign(SECRET, body, t),
    });
    await screenWhere((s) => s.includes("1/1"), "the request");
    for (let round = 1; round <= 3; round++) {
      tmux("send-keys", "-t", SESSION, "e");
      await screenWhere(
        (s) => /^\{\s*$/m.test(s) && s.includes('"event_type"'),
        `vim (round ${round})`,
      );
      tmux("send-keys", "-t", SESSION, ":wq", "Enter");
      // The edit sent is a row of its own, selected (a lasting sign: the message fades).
      const n = round + 1;
      await screenWhere((s) => s.includes(`${n}/${n}`), `the edit sent (round ${round})`);
      expect(noCurlPrinted()).toBe(true);
      tmux("send-keys", "-t", SESSION, "Home");
      await screenWhere((s) => /› .*#?1?/.test(s) && s.includes(`1/${round + 1}`), "row 1 again");
    }
    expect(app.requests.length).toBeGreaterThanOrEqual(4);
  }, 90_000);

  it("what the terminal answers after the editor quit is drained, never taken as keys", async () => {
    // An editor that asks the terminal for its version (as vim does at start) and quits at once:
    // the answer, ending in "c", arrives when the UI has the terminal back.
    const editor = join(home.dir, "asks-and-quits.sh");
    writeFileSync(editor, "#!/bin/sh\nprintf '\\033[>c\\033[c' > /dev/tty\n");
    chmodSync(editor, 0o755);
    tmux("set-environment", "-t", SESSION, "EDITOR", editor);
    const before = screen();
    expect(before).toContain("1/4");
    tmux("send-keys", "-t", SESSION, "q");
    await screenWhere((s) => s.includes("exit=0"), "the listener quit");
    tmux(
      "respawn-pane",
      "-k",
      "-t",
      SESSION,
      `env -u NO_COLOR HOME=${home.dir} EDITOR=${editor} TERM=xterm-256color node ${BIN} listen --port ${new URL(url).port} --secret ${SECRET} --forward-to ${app.url}; echo "exit=$?"`,
    );
    await screenWhere((s) => s.includes("Waiting for events"), "the waiting list again");
    const body = readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json"), "utf8");
    const { sign } = await import("../../src/core/signing/signature.js");
    await post(url, body, {
      "content-type": "application/json",
      "x-signature": sign(SECRET, body, Math.floor(Date.now() / 1000)),
    });
    await screenWhere((s) => s.includes("1/1"), "the request");
    for (let round = 1; round <= 3; round++) {
      tmux("send-keys", "-t", SESSION, "Home", "e");
      const n = round + 1;
      await screenWhere((s) => s.includes(`${n}/${n}`), `the edit sent (round ${round})`);
      expect(noCurlPrinted()).toBe(true);
    }
  }, 90_000);
});
