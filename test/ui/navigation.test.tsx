import { describe, expect, it } from "vitest";
import { RequestLog } from "../../src/core/exchanges/request-log.js";
import { receive } from "../../src/core/receiving/receive.js";
import { answer, exchange, KEYS, rowWith, setup } from "./ui-harness.js";

const selectedRow = (frame: string) => frame.split("\n").find((l) => l.startsWith("›")) ?? "";

describe("ListenApp: navigation", () => {
  it("keys that arrive together are all applied (five Ups in one read move five rows)", async () => {
    const { app, log, frame } = setup();
    for (let i = 1; i <= 10; i++) log.add(exchange(i, "created", `Ticket ${i}`));
    await frame((t) => t.includes("Ticket 10"));
    app.stdin.write(KEYS.up.repeat(5));
    const moved = await frame((t) => t.includes("5/10"));
    expect(selectedRow(moved)).toContain("Ticket 5");
    // And one key per write, without waiting for a frame in between (a held arrow key).
    for (let i = 0; i < 3; i++) app.stdin.write(KEYS.down);
    const back = await frame((t) => t.includes("8/10"));
    expect(selectedRow(back)).toContain("Ticket 8");
    app.unmount();
  });

  it("PgUp/PgDn move a page, Home/End go to the ends, with a position indicator", async () => {
    const log = new RequestLog(2000);
    const { app, frame } = setup({ log, rows: 20 });
    for (let i = 1; i <= 1034; i++) log.add(exchange(i, "created", `Ticket ${i}`));
    await frame((t) => t.includes("1,034/1,034"));
    app.stdin.write(KEYS.home);
    const top = await frame((t) => t.includes("1/1,034"));
    expect(selectedRow(top)).toContain("Ticket 1 ");
    app.stdin.write(KEYS.pageDown);
    const page = await frame((t) => t.includes("13/1,034"));
    expect(selectedRow(page)).toContain("Ticket 13");
    app.stdin.write(KEYS.pageUp + KEYS.pageUp);
    await frame((t) => t.includes("1/1,034") && selectedRow(t).includes("Ticket 1 "));
    app.stdin.write(KEYS.end);
    const end = await frame((t) => t.includes("1,034/1,034"));
    expect(selectedRow(end)).toContain("Ticket 1034");
    app.stdin.write(KEYS.down);
    expect(selectedRow(await frame((t) => t.includes("1,034/1,034")))).toContain("Ticket 1034");
    app.unmount();
  });

  it("the selection follows the newest request until moved, then stays put", async () => {
    const { app, log, frame } = setup();
    log.add(exchange(1, "created", "One"));
    log.add(exchange(2, "created", "Two"));
    await frame((t) => t.includes("2/2"));
    app.stdin.write(KEYS.up);
    await frame((t) => t.includes("1/2"));
    log.add(exchange(3, "created", "Three"));
    const stays = await frame((t) => t.includes("1/3"));
    expect(selectedRow(stays)).toContain("One");
    app.unmount();
  });

  it("/ searches event type, title, ids and body text; Esc clears", async () => {
    const { app, log, frame } = setup();
    log.add(exchange(1, "created", "Printer on fire"));
    log.add(
      exchange(2, "resolved", "Refund please", 200, (e) => {
        (e.data as { ticket: { id: string } }).ticket.id = "tkt_SEARCHME";
      }),
    );
    log.add(exchange(3, "updated", "Other"));
    await frame((t) => t.includes("Other"));
    app.stdin.write("/");
    await frame((t) => t.includes("Enter: keep"));
    app.stdin.write("printer");
    const byTitle = await frame((t) => t.includes('search "printer"') && !t.includes("Other"));
    expect(byTitle).toContain("Printer on fire");
    expect(byTitle).toContain("1/1");
    // Ctrl-U clears what was typed, as in a shell.
    app.stdin.write("\u0015");
    await frame((t) => t.includes("3/3") && t.includes("Other"));
    app.stdin.write("tkt_SEARCHME");
    app.stdin.write(KEYS.enter);
    const byBody = await frame((t) => t.includes('search "tkt_SEARCHME"') && !t.includes("Other"));
    expect(byBody).toContain("Refund please");
    expect(byBody).not.toContain("Printer on fire");
    app.stdin.write(KEYS.escape);
    await frame((t) => t.includes("Other") && t.includes("Printer") && t.includes("3/3"));
    app.stdin.write("/whev_00000000000000003\r");
    const byId = await frame((t) => t.includes("1/1"));
    expect(byId).toContain("Other");
    app.stdin.write(KEYS.escape);
    await frame((t) => t.includes("3/3"));
    app.stdin.write("/resolved\r");
    expect(await frame((t) => t.includes("1/1") && t.includes("Refund"))).not.toContain("Other");
    app.unmount();
  });

  it("f cycles the event type; v cycles invalid, rejected, forward failed", async () => {
    const { app, log, frame } = setup();
    log.add(exchange(1, "created", "Alpha"));
    log.add(exchange(2, "updated", "Beta"));
    const broken = exchange(3, "resolved", "Broken", 200, (e) => {
      (e.data as { ticket: { is_open: boolean } }).ticket.is_open = true;
    });
    broken.verdict = receive(broken.request, {});
    log.add(broken);
    const unsigned = exchange(4, "created", "Unsigned", 401);
    unsigned.verdict = receive(unsigned.request, { secret: "s" });
    log.add(unsigned);
    const failed = exchange(5, "created", "AppFailed", 500);
    failed.forward = answer(500, "boom");
    log.add(failed);
    await frame((t) => t.includes("AppFailed"));
    app.stdin.write("f");
    const created = await frame((t) => t.includes("type whitelabel-ticket-created"));
    expect(created).toContain("Alpha");
    expect(created).not.toContain("Beta");
    app.stdin.write("ffff"); // four more: back to all types
    await frame((t) => !t.includes("type whitelabel") && t.includes("Beta"));
    app.stdin.write("v");
    const invalid = await frame((t) => t.includes("· invalid ·"));
    expect(invalid).toContain("Broken");
    expect(invalid).toContain("1/1");
    app.stdin.write("v");
    const rejected = await frame((t) => t.includes("· rejected ·"));
    expect(rejected).toContain("missing signature");
    expect(rejected).not.toContain("Alpha");
    app.stdin.write("v");
    const forward = await frame((t) => t.includes("· forward failed ·"));
    expect(forward).toContain("AppFailed");
    expect(forward).toContain("1/1");
    app.stdin.write("v");
    await frame((t) => t.includes("5/5"));
    app.unmount();
  });

  it("a filter matching nothing says so", async () => {
    const { app, log, frame } = setup();
    log.add(exchange(1, "created", "Alpha"));
    await frame((t) => t.includes("Alpha"));
    app.stdin.write("/nothing-like-this\r");
    const none = await frame((t) => t.includes("No request matches"));
    expect(rowWith(none, "0/0")).toContain("0/0");
    app.unmount();
  });
});
