import type { Readable, Writable } from "node:stream";
import { type Clock, systemClock } from "../core/clock.js";
import { processSignals, type SignalSource } from "./signals.js";

/** Everything a command touches outside its arguments; tests pass their own. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Time for signatures, back-off, pacing and arrival times; tests pass their own. */
  clock: Clock;
  /** Ctrl-C and SIGTERM. */
  signals: SignalSource;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    signals: processSignals,
  };
}
