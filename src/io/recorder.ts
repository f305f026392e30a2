import {
  closeSync,
  fstatSync,
  ftruncateSync,
  openSync,
  type Stats,
  statSync,
  writeSync,
} from "node:fs";
import { open } from "node:fs/promises";
import { describeFsError, TicketHooksError, usageError } from "../core/errors.js";
import type { Recorder } from "../core/receiving/ports.js";

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
 * A named pipe or a socket would hold the listener (opening waits for a reader, a write for room
 * in the pipe) and would keep nothing: a recording is a file.
 */
function refusePipe(file: string): void {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch {
    return; // Not there yet: it is created.
  }
  if (stat.isFIFO() || stat.isSocket()) {
    throw usageError(
      "NOT_A_FILE",
      `${file} is a ${stat.isFIFO() ? "pipe" : "socket"}: --record needs a regular file`,
      "To stream the lines to another program, use --json (one line per request on stdout).",
    );
  }
}

/**
 * Appends NDJSON lines to a file, across runs. A line cut by an earlier crash is closed with a
 * newline first, so it stays one bad line instead of spoiling the next good one.
 *
 * Writes are synchronous: the listener hands over one batch of lines per turn of the event loop,
 * and a hand-off to the thread pool would cost more, under load, than the write itself.
 */
export async function openRecorder(file: string): Promise<Recorder> {
  refusePipe(file);
  const cut = await endsMidLine(file);
  let fd: number;
  try {
    fd = openSync(file, "a");
  } catch (error) {
    throw new TicketHooksError(
      "RECORD_FAILED",
      `cannot record to ${file}: ${describeFsError(error)}`,
    );
  }
  let closed = false;
  /** Where the file ends: a failed write is taken back to here. */
  let size = 0;
  try {
    size = fstatSync(fd).size;
  } catch {
    // Not a regular file (a device, a pipe): nothing to take back.
  }
  const writeAll = (bytes: Uint8Array) => {
    for (let done = 0; done < bytes.length; ) {
      const n = writeSync(fd, bytes, done);
      done += n;
      size += n;
    }
  };
  let needsNewline = cut;
  return {
    write(lines) {
      if (closed || lines.length === 0) return null;
      const before = size;
      try {
        if (needsNewline) {
          writeAll(NEWLINE);
          needsNewline = false;
        }
        writeAll(lines);
        return null;
      } catch (error) {
        // A disk that filled up mid-batch: the lines written in part are taken back, so the file
        // holds exactly the requests that were answered.
        if (size !== before) {
          try {
            ftruncateSync(fd, before);
            size = before;
          } catch {
            needsNewline = true;
          }
        }
        return new TicketHooksError(
          "RECORD_FAILED",
          `recording to ${file} failed: ${describeFsError(error)}`,
          { kind: "failed" },
        );
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

const NEWLINE = new Uint8Array([0x0a]);
