import { stripVTControlCharacters } from "node:util";
import { render } from "ink-testing-library";
import { createElement } from "react";
import { loadTemplate } from "../../src/core/events/templates.js";
import type { Exchange, ForwardResult } from "../../src/core/exchanges/exchange.js";
import { RequestLog } from "../../src/core/exchanges/request-log.js";
import { receive } from "../../src/core/receiving/receive.js";
import { ListenApp, type ListenAppProps } from "../../src/ui/ListenApp.js";
import { BUNDLED } from "../helpers/lookup.js";

export const strip = (s: string | undefined) => stripVTControlCharacters(s ?? "");
export const KEYS = {
  up: "\u001B[A",
  down: "\u001B[B",
  pageUp: "\u001B[5~",
  pageDown: "\u001B[6~",
  home: "\u001B[H",
  end: "\u001B[F",
  enter: "\r",
  escape: "\u001B",
  backspace: "\u007F",
};

export function answer(status: number | null, body = ""): ForwardResult {
  return {
    status,
    duration_ms: 3,
    error: status === null ? "nothing listening at 127.0.0.1:3000 (connection refused)" : null,
    headers: status === null ? {} : { "content-type": "text/plain" },
    body,
    body_bytes: Buffer.byteLength(body),
    body_truncated: false,
  };
}

/** An exchange of a bundled template with this title, received at 12:00:<seq>. */
export function exchange(
  seq: number,
  name: string,
  title: string,
  status = 200,
  change: (event: Record<string, unknown>) => void = () => {},
): Exchange {
  const value = structuredClone(loadTemplate(name, BUNDLED).value) as {
    event_id: string;
    data: { ticket: { title: string } };
  };
  value.data.ticket.title = title;
  value.event_id = `whev_${String(seq).padStart(17, "0")}`;
  change(value as unknown as Record<string, unknown>);
  const request = {
    method: "POST",
    url: "/",
    headers: { "content-type": "application/json", "x-trace": `t${seq}` },
    body: Buffer.from(JSON.stringify(value)),
  };
  return {
    seq,
    receivedAt: new Date(2026, 0, 1, 12, 0, seq % 60),
    request,
    verdict: receive(request, {}),
    status,
    forward: null,
    aborted: false,
  };
}

export interface SetupOptions extends Partial<ListenAppProps> {
  columns?: number;
  rows?: number;
  replayWith?: ForwardResult;
}

export interface Harness {
  app: ReturnType<typeof render>;
  log: RequestLog;
  /** Resolves with the first frame (stripped of ANSI) that passes the test. */
  frame: (test: (text: string) => boolean) => Promise<string>;
  /** The last frame as written, ANSI included. */
  raw: () => string;
  replays: number[];
  copied: string[];
  /** Everything written to the terminal, frames and text written above them. */
  written: string[];
  quit: Promise<void>;
  /** Whether the app asked to quit so far. */
  hasQuit: () => boolean;
  resize: (columns: number, rows: number) => void;
}

export function setup(options: SetupOptions = {}): Harness {
  // Tests that pass their own source (a recording) do not add to it.
  const log = (options.log ?? new RequestLog(5000)) as RequestLog;
  const replays: number[] = [];
  const copied: string[] = [];
  let quitted: () => void = () => {};
  let hasQuit = false;
  const quit = new Promise<void>((resolve) => {
    quitted = () => {
      hasQuit = true;
      resolve();
    };
  });
  const { columns, rows, replayWith, ...props } = options;
  const app = render(
    createElement(ListenApp, {
      log,
      url: "http://127.0.0.1:4000/",
      secret: "whs****ab",
      forwardTo: undefined,
      onReplay: async (ex): Promise<ForwardResult> => {
        replays.push(ex.seq);
        return replayWith ?? answer(204);
      },
      curlFor: (ex) => `curl -sS -X POST 'http://127.0.0.1:3000/' --data-binary '#${ex.seq}'`,
      onCopy: (text) => copied.push(text),
      onQuit: () => quitted(),
      ...props,
    }),
  );
  const stdout = app.stdout as unknown as NodeJS.EventEmitter & {
    write: (frame: string) => void;
    lastFrame: () => string | undefined;
  };
  const size = { columns: columns ?? 100, rows: rows ?? 30 };
  Object.defineProperty(stdout, "columns", { get: () => size.columns, configurable: true });
  Object.defineProperty(stdout, "rows", { get: () => size.rows, configurable: true });
  stdout.emit("resize");
  const resize = (c: number, r: number) => {
    size.columns = c;
    size.rows = r;
    stdout.emit("resize");
  };
  // A key typed while the UI reads none (the editor of `e` has the terminal) would be lost: ink
  // takes keys again only once its input effect has run, after the frame that shows the UI is
  // back. As a person waits for the UI to take keys, keys written meanwhile wait for it here.
  const stdin = app.stdin as unknown as NodeJS.EventEmitter & { write: (data: string) => void };
  const writeKeys = stdin.write;
  const held: string[] = [];
  stdin.on("newListener", (event: string) => {
    if (event !== "readable" || held.length === 0) return;
    // After ink's addListener has returned.
    setImmediate(() => {
      for (const keys of held.splice(0)) writeKeys(keys);
    });
  });
  stdin.write = (keys: string) => {
    if (stdin.listenerCount("readable") > 0 && held.length === 0) writeKeys(keys);
    else held.push(keys);
  };
  const waiters = new Set<() => void>();
  const write = stdout.write;
  const written: string[] = [];
  stdout.write = (frame: string) => {
    written.push(frame);
    write(frame);
    for (const w of [...waiters]) w();
  };
  /** Resolves with the first frame (stripped of ANSI) that passes the test, now or on a later write. */
  const frame = (test: (text: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no such frame; last one:\n${strip(stdout.lastFrame())}`));
      }, 10_000);
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
  const raw = () => stdout.lastFrame() ?? "";
  return { app, log, frame, raw, replays, copied, written, quit, hasQuit: () => hasQuit, resize };
}

/** The row of the list that holds this text. */
export function rowWith(frame: string, text: string): string {
  return frame.split("\n").find((l) => l.includes(text)) ?? "";
}
