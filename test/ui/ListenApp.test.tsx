import { stripVTControlCharacters } from "node:util";
import { render } from "ink-testing-library";
import { createElement } from "react";
import { describe, expect, it } from "vitest";
import { loadTemplate } from "../../src/core/events/templates.js";
import type { Exchange, ForwardResult } from "../../src/core/receiving/exchange.js";
import { receive } from "../../src/core/receiving/receive.js";
import { RequestLog } from "../../src/core/receiving/request-log.js";
import { ListenApp } from "../../src/ui/ListenApp.js";

const strip = (s: string | undefined) => stripVTControlCharacters(s ?? "");
const KEYS = { up: "\u001B[A", down: "\u001B[B", enter: "\r" };

function exchange(seq: number, name: string, title: string, status = 200): Exchange {
  const value = structuredClone(loadTemplate(name, { cwd: "/nonexistent", env: {} }).value) as {
    event_id: string;
    data: { ticket: { title: string } };
  };
  value.data.ticket.title = title;
  value.event_id = `whev_${String(seq).padStart(17, "0")}`;
  const request = {
    method: "POST",
    url: "/",
    headers: { "content-type": "application/json", "x-trace": `t${seq}` },
    body: Buffer.from(JSON.stringify(value)),
  };
  return {
    seq,
    receivedAt: new Date(2026, 0, 1, 12, 0, seq),
    request,
    verdict: receive(request, {}),
    status,
    forward: null,
    aborted: false,
  };
}

function setup(options: { forwardTo?: string } = {}) {
  const log = new RequestLog();
  const replays: number[] = [];
  let quitted: () => void = () => {};
  const quit = new Promise<void>((resolve) => {
    quitted = resolve;
  });
  const app = render(
    createElement(ListenApp, {
      log,
      url: "http://127.0.0.1:4000/",
      secret: "whs****ab",
      forwardTo: options.forwardTo,
      onReplay: async (ex): Promise<ForwardResult> => {
        replays.push(ex.seq);
        return {
          status: 204,
          duration_ms: 3,
          error: null,
          headers: {},
          body: "",
          body_bytes: 0,
          body_truncated: false,
        };
      },
      onQuit: () => quitted(),
    }),
  );
  const stdout = app.stdout as unknown as {
    write: (frame: string) => void;
    lastFrame: () => string | undefined;
  };
  const waiters = new Set<() => void>();
  const write = stdout.write;
  stdout.write = (frame: string) => {
    write(frame);
    for (const w of [...waiters]) w();
  };
  /** Resolves with the first frame (stripped of ANSI) that passes the test, now or on a later write. */
  const frame = (test: (text: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no such frame; last one:\n${strip(stdout.lastFrame())}`));
      }, 3000);
      const check = () => {
        const text = strip(stdout.lastFrame());
        if (test(text)) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(text);
        }
      };
      waiters.add(check);
      check();
    });
  return { app, log, frame, replays, quit };
}

describe("ListenApp", () => {
  it("shows the header, waits, then lists requests as the log grows", async () => {
    const { app, log, frame } = setup();
    const first = await frame((t) => t.includes("Waiting for events"));
    expect(first).toContain("ticket-hooks listen http://127.0.0.1:4000/");
    expect(first).toContain("secret whs****ab");
    log.add(exchange(1, "created", "Printer on fire"));
    log.add(exchange(2, "resolved", "Refund please", 500));
    const listed = await frame((t) => t.includes("Refund please"));
    expect(listed).toContain("received 2");
    expect(listed).toMatch(
      /12:00:01 - ✓ whitelabel-ticket-created\s+Printer on fire\s+whev_0+1 200/,
    );
    expect(listed).toMatch(
      /› 12:00:02 - ✓ whitelabel-ticket-resolved\s+Refund please\s+whev_0+2 500/,
    );
    app.unmount();
  });

  it("↑/↓ move the selection and Enter opens the details", async () => {
    const { app, log, frame } = setup();
    log.add(exchange(1, "created", "First ticket"));
    log.add(exchange(2, "updated", "Second ticket"));
    await frame((t) => t.includes("Second ticket"));
    app.stdin.write(KEYS.up);
    await frame((t) => /› 12:00:01/.test(t));
    app.stdin.write(KEYS.enter);
    const details = await frame((t) => t.includes("Headers"));
    expect(details).toContain("Signature: skipped");
    expect(details).toContain("x-trace: t1");
    expect(details).toContain('"title": "First ticket"');
    app.stdin.write(KEYS.enter);
    await frame((t) => t.includes("Second ticket") && !t.includes("Headers"));
    app.stdin.write(KEYS.down);
    await frame((t) => /› 12:00:02/.test(t));
    app.unmount();
  });

  it("details list every validation error with its path", async () => {
    const { app, log, frame } = setup();
    const ex = exchange(1, "resolved", "Broken");
    const body = JSON.parse(ex.request.body.toString());
    body.data.ticket.is_open = true;
    ex.request.body = Buffer.from(JSON.stringify(body));
    ex.verdict = receive(ex.request, {});
    log.add(ex);
    await frame((t) => t.includes("Broken"));
    app.stdin.write(KEYS.enter);
    const details = await frame((t) => t.includes("Schema: 1 error(s)"));
    expect(details).toContain(
      "data.ticket.is_open: whitelabel-ticket-resolved must have data.ticket.is_open false",
    );
    app.unmount();
  });

  it("f cycles the event-type filter", async () => {
    const { app, log, frame } = setup();
    log.add(exchange(1, "created", "Alpha"));
    log.add(exchange(2, "updated", "Beta"));
    await frame((t) => t.includes("Beta"));
    app.stdin.write("f");
    const filtered = await frame((t) => t.includes("filter: whitelabel-ticket-created"));
    expect(filtered).toContain("Alpha");
    expect(filtered).not.toContain("Beta");
    app.unmount();
  });

  it("r replays the selected event to the forward target, or says how to enable it", async () => {
    const noTarget = setup();
    noTarget.log.add(exchange(1, "created", "Alpha"));
    await noTarget.frame((t) => t.includes("Alpha"));
    noTarget.app.stdin.write("r");
    await noTarget.frame((t) => t.includes("start listen with --forward-to URL"));
    noTarget.app.unmount();

    const { app, log, frame, replays } = setup({ forwardTo: "http://127.0.0.1:3000/" });
    log.add(exchange(7, "created", "Alpha"));
    await frame((t) => t.includes("Alpha"));
    app.stdin.write("r");
    await frame((t) => t.includes("replayed #7: app answered 204 in 3ms"));
    expect(replays).toEqual([7]);
    app.unmount();
  });

  it("q quits", async () => {
    const { app, frame, quit } = setup();
    await frame((t) => t.includes("Waiting"));
    app.stdin.write("q");
    await expect(quit).resolves.toBeUndefined();
  });
});
