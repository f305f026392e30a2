import type { Readable, Writable } from "node:stream";

/*
 * The terminal handed to another program (the editor of `e`) whole, then taken back clean. While
 * the editor runs, this process must not read the terminal: an editor such as vim asks the
 * terminal questions as it starts, and an answer read here is lost to it (and taken as keys).
 * Afterwards, what is still pending (a late answer, a key typed as the editor quit) is read and
 * dropped up to a fence: a cursor-position request, whose answer comes after everything sent
 * before it.
 */

type TtyIn = Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
type TtyOut = Writable & { isTTY?: boolean };

/** Most the drain waits for the terminal's answer (a terminal that does not answer). */
const FENCE_TIMEOUT_MS = 1000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's answer starts with ESC
const CURSOR_REPORT = /\x1b\[\d+;\d+R/;

/**
 * Runs `program` with the terminal to itself. The caller has stopped its own reading first (the
 * live UI releases its input); stdin is paused, which makes node stop reading the terminal.
 */
export async function withTerminalHandedOver<T>(
  stdin: TtyIn,
  stdout: TtyOut,
  program: () => Promise<T>,
): Promise<T> {
  if (!stdin.isTTY) return program();
  stdin.pause();
  // node stops reading on the 'pause' event, a tick later.
  await new Promise<void>((resolve) => setImmediate(resolve));
  try {
    return await program();
  } finally {
    if (stdout.isTTY) await drainToFence(stdin, stdout);
  }
}

/** Reads and drops what the terminal sent up to the answer to a cursor-position request. */
function drainToFence(stdin: TtyIn, stdout: TtyOut): Promise<void> {
  return new Promise((resolve) => {
    let seen = "";
    const done = () => {
      clearTimeout(timer);
      stdin.off("data", onData);
      stdin.pause();
      stdin.setRawMode?.(false);
      resolve();
    };
    const onData = (chunk: Buffer | string) => {
      seen += typeof chunk === "string" ? chunk : chunk.toString("latin1");
      if (CURSOR_REPORT.test(seen)) done();
      // Bounded: only the tail can hold the answer.
      else if (seen.length > 4096) seen = seen.slice(-64);
    };
    const timer = setTimeout(done, FENCE_TIMEOUT_MS);
    stdin.setRawMode?.(true);
    // Paused explicitly above: a data listener alone would not start the reading again.
    stdin.on("data", onData);
    stdin.resume();
    stdout.write("\x1b[6n");
  });
}
