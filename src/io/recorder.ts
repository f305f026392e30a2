import { closeSync, openSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { CliError, describeFsError } from "../core/errors.js";

export interface Recorder {
  /** Appends one NDJSON line (without its newline). */
  write(line: string): void;
  /** Lines written in this run. */
  readonly lines: number;
  /** Writes what is pending and closes the file. */
  close(): Promise<void>;
}

/** True when the file exists, is not empty and does not end with a newline (a line cut by a crash). */
async function endsMidLine(file: string): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, "r");
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/**
 * Appends NDJSON lines to a file, across runs. A line cut by an earlier crash is closed with a
 * newline first, so it stays one bad line instead of spoiling the next good one.
 *
 * Lines that arrive in the same turn of the event loop are written together, synchronously, before
 * the next turn: one write() per batch, no hand-off to the thread pool (which, under load, costs
 * more than the write itself), and nothing waits in memory.
 */
export async function openRecorder(
  file: string,
  onError?: (error: Error) => void,
): Promise<Recorder> {
  const cut = await endsMidLine(file);
  let fd: number;
  try {
    fd = openSync(file, "a");
  } catch (error) {
    throw new CliError("RECORD_FAILED", `cannot record to ${file}: ${describeFsError(error)}`);
  }
  let failure: Error | undefined;
  let lines = 0;
  let pending: string[] = cut ? [""] : [];
  let scheduled = false;
  let closed = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0 || failure || closed) return;
    pending.push("");
    const text = pending.join("\n");
    pending = [];
    try {
      const bytes = Buffer.from(text);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    } catch (error) {
      failure = error as Error;
      onError?.(
        new CliError("RECORD_FAILED", `recording to ${file} failed: ${describeFsError(error)}`),
      );
    }
  };
  return {
    write(line) {
      if (failure || closed) return;
      lines++;
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    get lines() {
      return lines;
    },
    async close() {
      flush();
      if (closed) return;
      closed = true;
      closeSync(fd);
      if (failure) throw failure;
    },
  };
}
