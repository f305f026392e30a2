import { createWriteStream, type WriteStream } from "node:fs";
import { open } from "node:fs/promises";
import { CliError, describeFsError } from "../core/errors.js";

export interface Recorder {
  /** Appends one NDJSON line (without its newline). */
  write(line: string): void;
  /** Lines written in this run. */
  readonly lines: number;
  /** Flushes and closes the file. */
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
 */
export async function openRecorder(
  file: string,
  onError?: (error: Error) => void,
): Promise<Recorder> {
  const cut = await endsMidLine(file);
  const stream: WriteStream = createWriteStream(file, { flags: "a" });
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (error) =>
      reject(new CliError("RECORD_FAILED", `cannot record to ${file}: ${describeFsError(error)}`)),
    );
  });
  let failure: Error | undefined;
  stream.on("error", (error) => {
    failure ??= error;
    onError?.(
      new CliError("RECORD_FAILED", `recording to ${file} failed: ${describeFsError(error)}`),
    );
  });
  if (cut) stream.write("\n");
  let lines = 0;
  // Lines that arrive in the same turn of the event loop are written together: one write, not one
  // per request. Each line is handed to the file before the next turn.
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0 || failure) return;
    pending.push("");
    stream.write(pending.join("\n"));
    pending = [];
  };
  return {
    write(line) {
      if (failure) return;
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
    close() {
      flush();
      return new Promise<void>((resolve, reject) => {
        stream.end(() => (failure ? reject(failure) : resolve()));
      });
    },
  };
}
