import { describe, expect, it } from "vitest";
import { receive } from "../../src/core/receiving/receive.js";
import { isTerminalSafe } from "../../src/terminal/safe-text.js";
import { answer, exchange, KEYS, setup } from "./ui-harness.js";

const firstBodyLine = (frame: string) => /lines (\d+)–(\d+) of (\d+)/.exec(frame);

describe("ListenApp: details", () => {
  it("Enter opens the details of the selection and Enter/Esc go back", async () => {
    const { app, log, frame } = setup();
    log.add(exchange(1, "created", "First ticket"));
    log.add(exchange(2, "updated", "Second ticket"));
    await frame((t) => t.includes("Second ticket"));
    app.stdin.write(KEYS.up);
    await frame((t) => t.includes("1/2"));
    app.stdin.write(KEYS.enter);
    const details = await frame((t) => t.includes("Headers"));
    expect(details).toContain("Signature: skipped");
    expect(details).toContain("x-trace: t1");
    expect(details).toContain('"title": "First ticket"');
    app.stdin.write(KEYS.enter);
    await frame((t) => t.includes("Second ticket") && !t.includes("Headers"));
    app.stdin.write(KEYS.enter);
    await frame((t) => t.includes("Headers"));
    await new Promise<void>((resolve) => setImmediate(resolve));
    app.stdin.write(KEYS.escape);
    await frame((t) => t.includes("Second ticket") && !t.includes("Headers"));
    app.unmount();
  });

  it("Enter on an empty list does nothing", async () => {
    const { app, log, frame } = setup();
    await frame((t) => t.includes("Waiting for events"));
    app.stdin.write(KEYS.enter);
    app.stdin.write(KEYS.down);
    await frame((t) => t.includes("0/0"));
    log.add(exchange(1, "created", "Arrived"));
    const listed = await frame((t) => t.includes("Arrived"));
    expect(listed).not.toContain("Headers");
    expect(listed).toContain("1/1");
    app.unmount();
  });

  it("details list every validation error with its path", async () => {
    const { app, log, frame } = setup();
    const ex = exchange(1, "resolved", "Broken", 200, (e) => {
      (e.data as { ticket: { is_open: boolean } }).ticket.is_open = true;
    });
    ex.verdict = receive(ex.request, {});
    log.add(ex);
    await frame((t) => t.includes("Broken"));
    app.stdin.write(KEYS.enter);
    const details = await frame((t) => t.includes("Schema: 1 error(s)"));
    expect(details).toContain("data.ticket.is_open: must be false in whitelabel-ticket-resolved");
    app.unmount();
  });

  it("scrolling stops at the ends: one Up after 25 Downs past the end moves at once", async () => {
    const { app, log, frame } = setup({ rows: 20 });
    log.add(exchange(1, "created", "Scroll me"));
    await frame((t) => t.includes("Scroll me"));
    app.stdin.write(KEYS.enter);
    const top = await frame((t) => t.includes("lines 1–"));
    const [, , shownTo, total] = firstBodyLine(top) ?? [];
    const height = Number(shownTo);
    const last = Number(total);
    expect(last).toBeGreaterThan(height);
    app.stdin.write(KEYS.down.repeat(last + 25));
    await frame((t) => t.includes(`lines ${last - height + 1}–${last} of ${last}`));
    app.stdin.write(KEYS.up);
    await frame((t) => t.includes(`lines ${last - height}–${last - 1} of ${last}`));
    app.stdin.write(KEYS.home);
    await frame((t) => t.includes(`lines 1–${height} of ${last}`));
    app.stdin.write(KEYS.up);
    app.stdin.write(KEYS.pageDown);
    await frame((t) => t.includes(`lines ${height}–`));
    app.stdin.write(KEYS.end);
    await frame((t) => t.includes(`–${last} of ${last}`));
    app.unmount();
  });

  it("shows the app's answer: status, headers, body and time", async () => {
    const { app, log, frame, raw } = setup({ rows: 40 });
    const ex = exchange(1, "created", "Crashed the app", 500);
    ex.forward = {
      ...answer(500, '{"error":"TypeError: cannot read properties of undefined"}'),
      headers: { "content-type": "application/json", "x-app": "v1\u001b[2J" },
      duration_ms: 12.5,
    };
    log.add(ex);
    await frame((t) => t.includes("Crashed"));
    app.stdin.write(KEYS.enter);
    const details = await frame((t) => t.includes("App answered: 500 in 12.5 ms"));
    expect(details).toContain("x-app: v1\\u001b[2J");
    expect(details).toContain('"error": "TypeError: cannot read properties of undefined"');
    expect(isTerminalSafe(raw())).toBe(true);
    app.unmount();
  });

  it("an app that did not answer, and a cut answer, say so", async () => {
    const { app, log, frame } = setup({ rows: 40 });
    const down = exchange(1, "created", "Down", 502);
    down.forward = answer(null);
    log.add(down);
    const cut = exchange(2, "created", "Cut");
    cut.forward = {
      ...answer(200, "x".repeat(100)),
      body_bytes: 300_000_000,
      body_truncated: true,
    };
    log.add(cut);
    await frame((t) => t.includes("Cut"));
    app.stdin.write(KEYS.enter);
    await frame((t) => t.includes("Body (first 100 of 300000000 bytes)"));
    app.stdin.write(KEYS.escape);
    await frame((t) => !t.includes("Headers"));
    app.stdin.write(KEYS.up + KEYS.enter);
    await frame((t) => t.includes("App answered: no answer (nothing listening at 127.0.0.1:3000"));
    app.unmount();
  });
});
