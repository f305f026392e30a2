import { usageError } from "../errors.js";

/** The longest recording line read by default (64 MiB); longer lines are skipped with a warning. */
export const DEFAULT_MAX_LINE = 64 * 1024 * 1024;

/** One line of a file: where it is, and its bytes (without the line break). */
export interface FileLine {
  /** 1-based line number. */
  number: number;
  /** Byte offsets in the file of its first byte and of its end (its CR or LF). */
  start: number;
  end: number;
  /**
   * The line's bytes, or null when it is longer than the splitter keeps. A view of the chunk
   * pushed when the line lies within it: valid while that chunk's memory is.
   */
  bytes: Buffer | null;
}

/**
 * The one reader of a recording's lines: bytes in, in chunks of any size, lines out. A chunk
 * boundary may fall anywhere, inside a multi-byte character included, and no byte changes (lines
 * are decoded whole, by the caller). A line ends at LF, before a CR that precedes it. Linear in the
 * input: each byte is searched once, and copied only when its line spans two chunks. A line longer
 * than `maxLine` is not kept (its bytes are dropped as they arrive) and comes out as `bytes: null`.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingSize = 0;
  private tooLong = false;
  private number = 0;
  /** Bytes taken so far, and where the line being read starts. */
  private offset = 0;
  private lineStart = 0;

  constructor(private readonly maxLine = DEFAULT_MAX_LINE) {}

  /** The lines this chunk ends. */
  push(chunk: Buffer): FileLine[] {
    const lines: FileLine[] = [];
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      lines.push(this.take(chunk.subarray(from, nl), this.offset + nl));
      from = nl + 1;
      this.lineStart = this.offset + from;
    }
    if (from < chunk.length) this.keep(chunk.subarray(from));
    this.offset += chunk.length;
    return lines;
  }

  /** The last line, when the input ended without a line break after it. */
  end(): FileLine | null {
    if (this.offset === this.lineStart) return null;
    return this.take(Buffer.alloc(0), this.offset);
  }

  /** Bytes of the line being read, kept until its line break comes. */
  private keep(part: Buffer): void {
    if (this.tooLong) return;
    if (this.pendingSize + part.length > this.maxLine) {
      this.tooLong = true;
      this.pending = [];
      this.pendingSize = 0;
      return;
    }
    // A copy: the caller may reuse its chunk's memory for the next one.
    this.pending.push(Buffer.from(part));
    this.pendingSize += part.length;
  }

  /** The line ending with `last` at file offset `breakAt` (its LF, or the end of input). */
  private take(last: Buffer, breakAt: number): FileLine {
    let bytes: Buffer | null = null;
    if (!this.tooLong && this.pendingSize + last.length <= this.maxLine) {
      bytes =
        this.pending.length === 0
          ? last
          : Buffer.concat([...this.pending, last], this.pendingSize + last.length);
    }
    const cr = bytes !== null ? bytes.at(-1) === 0x0d : false;
    if (bytes !== null && cr) bytes = bytes.subarray(0, -1);
    const line = {
      number: ++this.number,
      start: this.lineStart,
      end: breakAt - (cr ? 1 : 0),
      bytes,
    };
    this.pending = [];
    this.pendingSize = 0;
    this.tooLong = false;
    return line;
  }
}

/**
 * A NUL byte in what should be a text recording: the file is not one. Every reader of a
 * recording (replay, export, inspect) stops at the first, with `notText`'s words.
 */
export class BinaryInput extends Error {
  constructor(readonly offset: number) {
    super(`a NUL byte at byte ${offset}`);
  }
}

/** Throws BinaryInput when `chunk`, read at file offset `offset`, holds a NUL byte. */
export function refuseBinary(chunk: Buffer, offset: number): void {
  const nul = chunk.indexOf(0);
  if (nul !== -1) throw new BinaryInput(offset + nul);
}

/** The usage error every reader gives for a file that is not text, so no recording. */
export function notText(file: string, error: BinaryInput): Error {
  return usageError(
    "NOT_A_RECORDING",
    `${file} is not a recording: ${error.message} (a recording is NDJSON text)`,
    "Give a file written by `ticket-hooks listen --record`, or a folder of JSON files.",
  );
}
