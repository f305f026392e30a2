import { CommanderError } from "commander";
import { systemClock } from "../core/clock.js";
import { type ErrorKind, ExitCode, TicketHooksError } from "../core/errors.js";
import { safeBlock } from "../terminal/safe-text.js";
import type { CliIo } from "./io.js";
import { Output } from "./output.js";
import { buildProgram } from "./program.js";
import { processSignals } from "./signals.js";

/** This process's streams, environment, clock and signals: the one place the process is ended. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    signals: processSignals,
    exit: (code) => process.exit(code),
  };
}

/** The one place where an error's kind becomes an exit code. */
const EXIT_CODES: Record<ErrorKind, number> = {
  usage: ExitCode.usage,
  failed: ExitCode.failed,
  interrupted: ExitCode.interrupted,
  internal: ExitCode.internal,
};

/** A user's error: its one line, details and hint (and its cause's stack with --debug). */
function reportError(error: TicketHooksError, out: Output, io: CliIo, debug: boolean): number {
  out.error(error.message);
  for (const line of error.details) out.detail(line);
  if (error.hint) out.hint(error.hint);
  if (debug && error.cause instanceof Error) {
    io.stderr.write(`${safeBlock(String(error.cause.stack))}\n`);
  }
  return EXIT_CODES[error.kind];
}

/** Anything else thrown is a bug: "unexpected error", with the stack only under --debug. */
function reportBug(error: unknown, out: Output, io: CliIo, debug: boolean): number {
  const message = error instanceof Error ? error.message : String(error);
  out.error(
    `unexpected error: ${message}`,
    debug ? undefined : "run again with --debug to see the stack trace, and please report it",
  );
  if (debug && error instanceof Error) io.stderr.write(`${safeBlock(String(error.stack))}\n`);
  return ExitCode.internal;
}

/**
 * Runs the CLI and returns the exit code. The single place where errors become exit codes:
 * TicketHooksError → its code and one line (+ hint); commander's usage errors → 2; anything else is a
 * bug → "unexpected error", with the stack only under --debug.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const debug = argv.includes("--debug") || io.env.TICKET_HOOKS_DEBUG === "1";
  const color = argv.includes("--no-color") ? false : undefined;
  const out = new Output(io, { color });
  try {
    await (await buildProgram(io, argv)).parseAsync([...argv], { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    // Commander has already printed its message, or the help or version it was asked for.
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    if (error instanceof TicketHooksError) return reportError(error, out, io, debug);
    return reportBug(error, out, io, debug);
  }
}
