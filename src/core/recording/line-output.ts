import { TicketHooksError } from "../errors.js";

/** Where `--json` lines go: a writable stream (stdout), as node gives it. */
export interface LineSink {
  write(chunk: Uint8Array): unknown;
  /** Bytes written but not yet taken by the reader. */
  readonly writableLength: number;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** Lines waiting for a slow reader past this are dropped (and counted). */
export const DEFAULT_OUTPUT_QUEUE_LIMIT = 16 * 1024 * 1024;

/**
 * The listener's `--json` output, with its back-pressure handled here: stdout is for watching, so
 * a reader that stalls never fills the listener's memory (past `limit` bytes waiting, lines are
 * dropped and counted, one warning) and a reader that goes away (`listen --json | head -1`) stops
 * the output, not the listener. The recording is written elsewhere and stays complete.
 */
export class LineOutput {
  /** Lines not shown because the reader was too slow or gone. */
  dropped = 0;
  private gone = false;

  constructor(
    private readonly sink: LineSink,
    private readonly warn: (error: Error) => void,
    private readonly limit = DEFAULT_OUTPUT_QUEUE_LIMIT,
  ) {
    sink.on("error", (error: NodeJS.ErrnoException) => {
      if (!this.gone && error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") {
        warn(error);
      }
      this.gone = true;
    });
  }

  /**
   * Hands whole lines to the sink, as a copy of their own: a stream may keep what it is given in
   * its queue, and the caller's buffer is then free for the next lines at once. Returns true when
   * the sink was given them (false when they were dropped).
   */
  write(lines: Buffer): boolean {
    if (lines.length === 0) return false;
    if (this.gone || this.sink.writableLength > this.limit) {
      if (!this.gone && this.dropped === 0) {
        this.warn(
          new TicketHooksError(
            "OUTPUT_STALLED",
            `stdout is not being read: --json lines are dropped past ${Math.round(this.limit / 1024 / 1024)} MB waiting (the recording is complete); counted in the summary`,
          ),
        );
      }
      this.dropped += countLines(lines);
      return false;
    }
    this.sink.write(Buffer.from(lines));
    return true;
  }
}

function countLines(bytes: Buffer): number {
  let n = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) n++;
  return n;
}
