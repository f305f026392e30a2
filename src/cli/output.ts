import { Chalk, type ChalkInstance } from "chalk";
import type { Command } from "commander";
import { jsonSafe, safeBlock, safeLine } from "../terminal/safe-text.js";
import type { CliIo } from "./io.js";

/** The colours the CLI uses. */
export type Paint = Pick<
  ChalkInstance,
  "red" | "green" | "yellow" | "dim" | "bold" | "cyan" | "magenta"
>;

const plain = (s: string) => s;
const PLAIN: Paint = {
  red: plain,
  green: plain,
  yellow: plain,
  dim: plain,
  bold: plain,
  cyan: plain,
  magenta: plain,
} as unknown as Paint;

function paint(enabled: boolean): Paint {
  return enabled ? new Chalk({ level: 1 }) : PLAIN;
}

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
  readonly c: Paint;
  /** Colours for stderr. */
  readonly e: Paint;
  readonly io: CliIo;

  constructor(io: CliIo, options: OutputOptions = {}) {
    this.io = io;
    this.json = options.json === true;
    this.c = paint(wantsColor(io.stdout, io.env, options.color));
    this.e = paint(wantsColor(io.stderr, io.env, options.color));
  }

  /** One result line on stdout. */
  line(text = ""): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** One NDJSON object on stdout (C1, bidi controls and line separators escaped). */
  record(value: unknown): void {
    this.io.stdout.write(`${jsonSafe(JSON.stringify(value))}\n`);
  }

  /**
   * Progress and notes on stderr. Notes, warnings, errors and hints often quote outside text (a
   * receiver's answer, a file name, a header), so their text passes the sanitiser before our own
   * colours are added: callers never pass colours in.
   */
  note(text: string): void {
    this.io.stderr.write(`${safeBlock(text)}\n`);
  }

  warn(text: string): void {
    this.io.stderr.write(`${this.e.yellow("warning:")} ${safeBlock(text)}\n`);
  }

  error(text: string, hint?: string): void {
    this.io.stderr.write(`${this.e.red("error:")} ${safeBlock(text)}\n`);
    if (hint) this.hint(hint);
  }

  hint(text: string): void {
    this.io.stderr.write(`${this.e.dim("hint:")} ${safeBlock(text)}\n`);
  }

  /** An indented detail line under an error (one line each). */
  detail(text: string): void {
    this.io.stderr.write(`  ${safeLine(text)}\n`);
  }
}

/** Batches many small writes (one per delivery under load) into few large ones. */
export class BatchedWriter {
  private chunks: string[] = [];
  private size = 0;
  private scheduled = false;

  constructor(
    private readonly stream: CliIo["stdout"],
    /** Called right before each write (e.g. to clear a progress line on the same terminal). */
    private readonly beforeWrite?: () => void,
  ) {}

  push(line: string): void {
    this.chunks.push(line, "\n");
    this.size += line.length + 1;
    if (this.size > 65536) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.chunks.length === 0) return;
    this.beforeWrite?.();
    this.stream.write(this.chunks.join(""));
    this.chunks = [];
    this.size = 0;
  }
}

export interface GlobalOptions {
  config?: string;
  debug?: boolean;
  color?: boolean;
}

/** Output for an action: colour from the global --no-color, --json from the command. */
export function outputFor(command: Command, io: CliIo): Output {
  const globals = command.optsWithGlobals<GlobalOptions & { json?: boolean }>();
  return new Output(io, { json: globals.json === true, color: globals.color });
}
