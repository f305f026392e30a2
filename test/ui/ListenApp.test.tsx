import { describe, expect, it } from "vitest";
import { receive } from "../../src/core/receiving/receive.js";
import { isTerminalSafe } from "../../src/terminal/safe-text.js";
import { answer, exchange, rowWith, setup } from "./ui-harness.js";

describe("ListenApp: the list and its layout", () => {
  it("shows the header, waits, then lists requests under a row of column names", async () => {
    const { app, log, frame } = setup();
    const first = await frame((t) => t.includes("Waiting for events"));
    expect(first).toContain("ticket-hooks listen http://127.0.0.1:4000/");
    // The hint works when pasted: signed, with the secret from the environment, never shown.
    expect(first.replace(/[│\s]+/g, " ")).toContain(
      'send one: ticket-hooks send created --to http://127.0.0.1:4000/ --secret "$TICKET_HOOKS_SECRET"',
    );
    expect(first).toContain("secret whs****ab");
    log.add(exchange(1, "created", "Printer on fire"));
    log.add(exchange(2, "resolved", "Refund please", 500));
    const listed = await frame((t) => t.includes("Refund please"));
    expect(listed).toContain("received 2");
    expect(listed).toMatch(/TIME\s+SIG\s+SCH\s+EVENT\s+TITLE\s+EVENT ID\s+STATUS/);
    expect(listed).toMatch(
      /12:00:01\s+–\s+✓\s+whitelabel-ticket-created\s+Printer on fire\s+whev_0+1\s+200/,
    );
    expect(listed).toMatch(
      /› 12:00:02\s+–\s+✓\s+whitelabel-ticket-resolved\s+Refund please\s+whev_0+2\s+500/,
    );
    app.unmount();
  });

  it("a malformed request, a timeout and a disconnect are each named in the list", async () => {
    const { app, log, frame } = setup();
    const aborted = (seq: number, status: number | null, error: string | null) => {
      const ex = exchange(seq, "created", "x", status ?? 200);
      ex.request = { method: "", url: "", headers: {}, body: Buffer.alloc(0) };
      ex.verdict = { ...receive(ex.request, {}), eventType: null, error };
      return { ...ex, status, aborted: true };
    };
    log.add(aborted(1, 400, "malformed HTTP request (HPE_INVALID_URL)"));
    log.add(aborted(2, 408, "request timed out: the headers were not complete within 300 ms"));
    log.add(aborted(3, null, null));
    const listed = await frame((t) => t.includes("(disconnected)"));
    expect(listed).toMatch(/12:00:01\s.*\(malformed\)/);
    expect(listed).toMatch(/12:00:02\s.*\(timed out\)/);
    expect(listed).toMatch(/12:00:03\s.*\(disconnected\)/);
    app.unmount();
  });

  it("a check that never ran shows –, not ✗ (a 404 was never verified nor validated)", async () => {
    const { app, log, frame } = setup();
    const ex = exchange(1, "created", "x", 404);
    ex.request.url = "/wrong";
    ex.verdict = receive(ex.request, { secret: "s", path: "/hooks" });
    log.add(ex);
    const missing = exchange(2, "created", "y", 401);
    missing.verdict = receive(missing.request, { secret: "s" });
    log.add(missing);
    const listed = await frame((t) => t.includes("missing signature"));
    expect(rowWith(listed, "not found")).toMatch(/12:00:01\s+–\s+–\s+not found/);
    expect(rowWith(listed, "missing signature")).toMatch(/12:00:02\s+✗\s+–\s+missing signature/);
    app.unmount();
  });

  it("the list uses the terminal's rows; the header stays; every row is one line", async () => {
    const { app, log, frame } = setup({ rows: 20 });
    for (let i = 1; i <= 40; i++) log.add(exchange(i, "created", `Ticket ${i}`));
    const listed = await frame((t) => t.includes("Ticket 40"));
    const lines = listed.split("\n");
    // 20 rows: 4 header, 1 column names, 12 requests, 2 footer, 1 left free.
    expect(lines).toHaveLength(19);
    expect(lines.filter((l) => /Ticket \d+/.test(l))).toHaveLength(12);
    expect(listed).toContain("ticket-hooks listen");
    expect(listed).toContain("40/40");
    app.unmount();
  });

  it("resizing re-lays out; 60 columns and less drop the time and id columns", async () => {
    const { app, log, frame, resize } = setup({ columns: 100, rows: 24 });
    log.add(exchange(1, "created", "A fairly long title that will not fit in a narrow row"));
    const wide = await frame((t) => t.includes("A fairly long"));
    expect(wide).toContain("12:00:01");
    resize(60, 24);
    const narrow = await frame((t) => !t.includes("EVENT ID") && t.includes("TITLE"));
    expect(narrow).not.toContain("12:00:01");
    expect(narrow).not.toContain("whev_");
    const row = rowWith(narrow, "created");
    expect(row).toMatch(/^› –\s+✓\s+created\s+A fairly long.*…\s*200$/);
    for (const line of narrow.split("\n")) expect(line.length).toBeLessThanOrEqual(60);
    resize(40, 24);
    const tiny = await frame((t) => !t.includes("A fairly long title that"));
    expect(rowWith(tiny, "created")).toMatch(/200$/);
    // Narrower than the columns: rows are cut at the edge, never wrapped onto a second line.
    resize(30, 24);
    const cut = await frame((t) => t.split("\n").some((l) => l.startsWith("› ") && l.length <= 30));
    const lines = cut.split("\n");
    expect(lines.filter((l) => l.startsWith("› "))).toHaveLength(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(30);
    // The status comes before the type and title, which are what the edge cuts.
    expect(lines.some((l) => l.startsWith("  SIG SCH STATUS    EVENT"))).toBe(true);
    expect(rowWith(cut, "created")).toMatch(/^› –\s+✓\s+200\s+created/);
    // The search text stays in sight: the key hint goes first.
    app.stdin.write("/a fairly");
    await frame((t) => t.includes("/a fairly") && !t.includes("Enter: keep"));
    app.unmount();
  });

  it("titles are cut at their display width: CJK, emoji sequences and newlines", async () => {
    const { app, log, frame, raw } = setup({ columns: 80 });
    const family = "👩‍👩‍👧‍👦";
    log.add(exchange(1, "created", "打印机着火了请尽快派人来处理这个非常紧急的问题谢谢"));
    log.add(exchange(2, "created", family.repeat(20)));
    log.add(exchange(3, "created", "first line\nsecond line"));
    const listed = await frame((t) => t.includes("first line"));
    const cjk = rowWith(listed, "打印机");
    expect(cjk).toMatch(/created\s+打印机.*…\s+whev_0+1\s+200$/);
    expect(cjk).not.toContain("谢谢");
    const emoji = rowWith(listed, "👩");
    expect(emoji).toMatch(/…\s+whev_0+2\s+200$/);
    expect(emoji).not.toContain("\uFFFD");
    // Only whole sequences: the cut leaves no dangling joiner or half family.
    expect(emoji.replaceAll(family, "")).not.toMatch(/[\u200d\u{1F466}-\u{1F469}]/u);
    expect(rowWith(listed, "first line")).toMatch(/first line↵sec…\s+whev_0+3\s+200$/);
    expect(listed.split("\n").filter((l) => l.includes("whev_"))).toHaveLength(3);
    expect(isTerminalSafe(raw())).toBe(true);
    app.unmount();
  });

  it("outside text cannot reach the terminal raw", async () => {
    const { app, log, frame, raw } = setup();
    log.add(exchange(1, "created", "evil \u001b]0;pwned\u0007 \u001b[2J \u202e title"));
    await frame((t) => t.includes("evil"));
    expect(isTerminalSafe(raw())).toBe(true);
    app.unmount();
  });

  it("the header says app down while the forward target does not answer", async () => {
    let down = true;
    const watchers = new Set<() => void>();
    const { app, frame } = setup({
      forwardTo: "http://127.0.0.1:3000/",
      target: {
        isDown: () => down,
        subscribe: (w) => {
          watchers.add(w);
          return () => watchers.delete(w);
        },
      },
    });
    await frame((t) => t.includes("→ http://127.0.0.1:3000/ · app down"));
    down = false;
    for (const w of watchers) w();
    await frame((t) => !t.includes("app down") && t.includes("→ http://127.0.0.1:3000/"));
    app.unmount();
  });

  it("rows show the app's answer after the sender's status", async () => {
    const { app, log, frame } = setup();
    const ok = exchange(1, "created", "Forwarded");
    ok.forward = answer(202);
    const down = exchange(2, "created", "App down", 502);
    down.forward = answer(null);
    log.add(ok);
    log.add(down);
    const listed = await frame((t) => t.includes("App down"));
    expect(rowWith(listed, "Forwarded")).toMatch(/200 → 202$/);
    expect(rowWith(listed, "App down")).toMatch(/502 → failed$/);
    app.unmount();
  });
});
