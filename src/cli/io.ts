import type { Readable, Writable } from "node:stream";
import type { Clock } from "../core/clock.js";
import type { SignalSource } from "./signals.js";

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
  /**
   * Ends the process at once with this code (a second Ctrl-C that does not wait). Only main.ts
   * makes the real one; nothing after it runs in a real process.
   */
  exit(code: number): void;
}
