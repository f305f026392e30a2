// Drives the CLI in-process through main(argv, io): the sources run, with an injected clock and
// stop signals, and stdout/stderr collected. Spawn a process (helpers/cli.ts) only where a process
// is the point: signals to a real process, bin/, --version, a real terminal.
import { PassThrough } from "node:stream";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { SignalSource } from "../../src/cli/signals.js";
import { type Clock, systemClock } from "../../src/core/clock.js";
import { ROOT } from "./cli.js";

export interface MainOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Standard input (default: empty). */
  input?: string | Buffer;
  clock?: Clock;
  /** Pretend stdout/stderr/stdin are terminals. */
  tty?: boolean;
  signals?: FakeSignals;
}

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Stop requests a test sends by hand (`signals.send("SIGINT")`), as Ctrl-C would. */
export class FakeSignals implements SignalSource {
  private handlers = new Set<(signal: NodeJS.Signals) => void>();
  subscribe(handler: (signal: NodeJS.Signals) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
  send(signal: NodeJS.Signals = "SIGINT"): void {
    for (const handler of [...this.handlers]) handler(signal);
  }
  get listening(): number {
    return this.handlers.size;
  }
}

function collector(tty: boolean): {
  stream: PassThrough & { isTTY?: boolean };
  text: () => string;
} {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (tty) stream.isTTY = true;
  const chunks: Buffer[] = [];
  // A copy of each chunk: what a command wrote is kept as it was, whatever the writer does later.
  stream.on("data", (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

export interface RunningMain {
  stdout: () => string;
  stderr: () => string;
  signals: FakeSignals;
  /** Resolves once stdout or stderr holds text matching. */
  waitFor(test: RegExp, stream?: "stdout" | "stderr"): Promise<RegExpExecArray>;
  done: Promise<MainResult>;
}

/** Starts main(argv) in-process and lets the test talk to it while it runs (listen, demo). */
export function startMain(argv: string[], options: MainOptions = {}): RunningMain {
  const tty = options.tty === true;
  const out = collector(tty);
  const err = collector(tty);
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (tty) stdin.isTTY = true;
  stdin.end(options.input ?? "");
  const signals = options.signals ?? new FakeSignals();
  const env: Record<string, string | undefined> = { NO_COLOR: "1", ...options.env };
  // A forced exit (a second Ctrl-C) ends the run with its code, as it would end the process.
  let exited: (code: number) => void = () => {};
  const forced = new Promise<number>((resolve) => {
    exited = resolve;
  });
  const io: CliIo = {
    stdout: out.stream,
    stderr: err.stream,
    stdin,
    env,
    cwd: options.cwd ?? ROOT,
    clock: options.clock ?? systemClock,
    signals,
    exit: (code) => exited(code),
  };
  const done = Promise.race([main(argv, io), forced]).then((code) => ({
    code,
    stdout: out.text(),
    stderr: err.text(),
  }));
  const waitFor = (test: RegExp, stream: "stdout" | "stderr" = "stderr") =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const source = stream === "stdout" ? out : err;
      const check = () => {
        const m = test.exec(source.text());
        if (m) {
          source.stream.off("data", onData);
          resolve(m);
        }
      };
      const onData = () => setImmediate(check);
      source.stream.on("data", onData);
      void done.then(() => {
        check();
        reject(new Error(`main() ended before ${test} appeared; stderr: ${err.text()}`));
      });
      check();
    });
  return { stdout: out.text, stderr: err.text, signals, waitFor, done };
}

/** Runs main(argv) in-process to the end. */
export function runMain(argv: string[], options: MainOptions = {}): Promise<MainResult> {
  return startMain(argv, options).done;
}
