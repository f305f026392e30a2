import { Chalk, type ChalkInstance } from "chalk";
import type { CliIo } from "./io.js";

export interface OutputOptions {
  json?: boolean;
  color?: boolean | undefined;
}

/** Colours only on a TTY, never with NO_COLOR or --no-color; FORCE_COLOR turns them on. */
export function wantsColor(
  stream: { isTTY?: boolean },
  env: CliIo["env"],
  flag?: boolean,
): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

/**
 * The only way commands print. Results go to stdout (lines, or NDJSON with --json);
 * progress, notes, warnings and errors go to stderr.
 */
export class Output {
  readonly json: boolean;
  /** Colours for stdout. */
  readonly c: ChalkInstance;
  /** Colours for stderr. */
  readonly e: ChalkInstance;
  readonly io: CliIo;

  constructor(io: CliIo, options: OutputOptions = {}) {
    this.io = io;
    this.json = options.json === true;
    this.c = new Chalk({ level: wantsColor(io.stdout, io.env, options.color) ? 1 : 0 });
    this.e = new Chalk({ level: wantsColor(io.stderr, io.env, options.color) ? 1 : 0 });
  }

  /** One result line on stdout. */
  line(text = ""): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** One NDJSON object on stdout. */
  record(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Progress and notes on stderr. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`${this.e.yellow("warning:")} ${text}\n`);
  }

  error(text: string, hint?: string): void {
    this.io.stderr.write(`${this.e.red("error:")} ${text}\n`);
    if (hint) this.io.stderr.write(`${this.e.dim("hint:")} ${hint}\n`);
  }
}
