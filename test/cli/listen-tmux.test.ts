// The live UI in a real terminal: tmux runs `listen`, sends keys as a terminal would (several in
// one read), resizes the window, and the screen is read back with capture-pane.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, PAYLOADS, ROOT } from "../helpers/cli.js";
import { post } from "../helpers/http.js";
import { freePort, tmuxSession } from "../helpers/tmux.js";
import { requireTool } from "../helpers/tools.js";

const SESSION = "listen";
const { tmux, screenWhere, kill } = tmuxSession("test", SESSION, 10_000);

const template = JSON.parse(
  readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json"), "utf8"),
) as { event_id: string; data: { ticket: { title: string } } };

function event(n: number, title: string): string {
  const value = structuredClone(template);
  value.event_id = `whev_tmux${String(n).padStart(13, "0")}`;
  value.data.ticket.title = title;
  return JSON.stringify(value);
}

const CJK = "打印机着火了请尽快派人来处理这个非常紧急的问题谢谢大家";
const FAMILY = "👩‍👩‍👧‍👦";

describe("listen's live UI in a real terminal (tmux)", () => {
  let url = "";
  beforeAll(async () => {
    requireTool("tmux", ["-V"], "tmux");
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    tmux(
      "new-session",
      "-d",
      "-s",
      SESSION,
      "-x",
      "100",
      "-y",
      "30",
      "-c",
      ROOT,
      `env -u NO_COLOR TERM=xterm-256color node ${BIN} listen --port ${port}; echo "exit=$?"`,
    );
    tmux("set-option", "-t", SESSION, "window-size", "manual");
    // The pane stays when the listener has exited, so its last screen (and exit code) can be read.
    tmux("set-option", "-w", "-t", SESSION, "remain-on-exit", "on");
    await screenWhere((t) => t.includes("Waiting for events"), "the waiting list");
  });
  afterAll(() => {
    kill();
  });

  it("lists what arrives, by display width, with the header and column names", async () => {
    for (let i = 1; i <= 10; i++) await post(url, event(i, `Ticket ${i}`));
    await post(url, event(11, CJK));
    await post(url, event(12, FAMILY.repeat(30)));
    const shown = await screenWhere((t) => t.includes("12/12"), "12 requests");
    expect(shown).toContain("ticket-hooks listen");
    expect(shown).toMatch(/TIME\s+SIG\s+SCH\s+EVENT\s+TITLE/);
    const cjk = shown.split("\n").find((l) => l.includes("打印机")) ?? "";
    expect(cjk).toMatch(/打印机.*…\s+whev_tmux0+11\s+200\s*$/);
    const emoji = shown.split("\n").find((l) => l.includes("👩")) ?? "";
    expect(emoji).toMatch(/…\s+whev_tmux0+12\s+200\s*$/);
    expect(shown).not.toContain("\uFFFD");
  });

  it("five Ups sent at once move five rows", async () => {
    tmux("send-keys", "-t", SESSION, "Up", "Up", "Up", "Up", "Up");
    const moved = await screenWhere((t) => t.includes("7/12"), "the 7th row selected");
    expect(moved.split("\n").find((l) => l.startsWith("›"))).toContain("Ticket 7");
    tmux("send-keys", "-t", SESSION, "End");
    await screenWhere((t) => t.includes("12/12"), "End back to the newest");
  });

  it("resized to 60 columns: columns dropped, every row still one line", async () => {
    tmux("resize-window", "-t", SESSION, "-x", "60", "-y", "30");
    const narrow = await screenWhere(
      (t) => !t.includes("EVENT ID") && t.includes("TITLE"),
      "the narrow layout",
    );
    const rows = narrow.split("\n").filter((l) => / 200\s*$/.test(l));
    expect(rows).toHaveLength(12);
    expect(narrow).not.toContain("whev_tmux");
    expect(narrow.split("\n").find((l) => l.includes("打印机"))).toMatch(
      /created\s+打印机.*…\s+200/,
    );
  });

  it("q quits the listener, with its summary and exit code 0", async () => {
    tmux("send-keys", "-t", SESSION, "q");
    await screenWhere((t) => t.includes("Summary: received 12"), "the summary");
    await screenWhere((t) => t.includes("exit=0"), "the listener's exit code 0");
  });
});
