import type { Exchange } from "../exchanges/exchange.js";
import type { Files, RandomAccessFile } from "../files.js";
import { DEFAULT_MAX_LINE, LineSplitter, refuseBinary } from "./lines.js";
import { exchangeFromLine, isRecordShaped, unreadLineExchange } from "./recorded-line.js";

/*
 * A recording opened for browsing (`inspect`): the file is read once, in chunks, for the byte
 * offsets of its lines and their numbers (24 bytes a line: 1,000,000 lines hold 24 MB); a line is read from
 * disk and parsed when it is shown, and the last few parsed are kept. The rule of every reader
 * holds: a NUL byte means the file is no recording (BinaryInput), and a line cut short (the last
 * one, without its line break, after a kill -9) and lines that are not UTF-8 JSON objects
 * (isRecordShaped) are skipped. A line longer than `maxLine` is a row that says so, never read.
 */

const CHUNK = 4 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
/** Lines a page of the index holds. */
const PAGE = 32 * 1024;

/** Consecutive lines read in one go: line i is `block[offsets[2i] … offsets[2i+1]]`. */
export interface LineBlock {
  block: Buffer;
  offsets: Float64Array;
  count: number;
}

/** Line i of a block. */
export function lineOf({ block, offsets }: LineBlock, i: number): Buffer {
  return block.subarray(offsets[i * 2] as number, offsets[i * 2 + 1] as number);
}
/** Exchanges kept parsed (the rows on screen and around them). */
const CACHE = 512;

export class RecordingIndex {
  private cache = new Map<number, Exchange>();
  /**
   * Where each line starts and ends (its line break), and its number in the file, in pages of
   * PAGE lines that are never copied as the index grows: [start, end, number, start, …]. The
   * number is negative for a line longer than `maxLine`.
   */
  private pages: Float64Array[] = [];
  private n = 0;
  /** Lines of the file seen so far (kept or not). */
  private lineNo = 0;
  /** Lines that are not blank and were not kept (not a UTF-8 JSON object, or cut short at the end). */
  private skippedLines = 0;
  /** Bytes of the file read for the index so far. */
  private position = 0;
  private readonly splitter: LineSplitter;
  private buffer: Buffer | null = Buffer.allocUnsafe(CHUNK);
  /** The file's size when it was opened: what the index covers (lines appended later are not). */
  readonly size: number;

  private constructor(
    readonly file: string,
    private readonly opened: RandomAccessFile,
    readonly maxLine: number,
  ) {
    this.size = opened.size;
    this.splitter = new LineSplitter(maxLine);
  }

  /** Reads `file` once and indexes its lines. */
  static open(file: string, files: Files, maxLine = DEFAULT_MAX_LINE): RecordingIndex {
    const index = RecordingIndex.start(file, files, maxLine);
    while (!index.indexed) index.indexMore();
    return index;
  }

  /**
   * Opens `file` for indexing, a chunk at a time (`indexMore`): lines are browsable as soon as
   * their chunk is read, so a large recording shows its first rows at once.
   */
  static start(file: string, files: Files, maxLine = DEFAULT_MAX_LINE): RecordingIndex {
    return new RecordingIndex(file, files.openRandom(file), maxLine);
  }

  /** Lines indexed so far. */
  get length(): number {
    return this.n;
  }

  /** Lines of the file seen so far, kept or not (all of them once `indexed`). */
  get linesSeen(): number {
    return this.lineNo;
  }

  /** Lines seen so far that were not kept: not a UTF-8 JSON object, or cut short at the end. */
  get skipped(): number {
    return this.skippedLines;
  }

  /** Line i's number in the file (from 1). */
  lineNumber(i: number): number {
    return Math.abs(this.numberSlot(i));
  }

  /** Whether line i is longer than `maxLine` (shown as such, never read). */
  isTooLong(i: number): boolean {
    return this.numberSlot(i) < 0;
  }

  private numberSlot(i: number): number {
    return (this.pages[Math.floor(i / PAGE)] as Float64Array)[(i % PAGE) * 3 + 2] as number;
  }

  /** The index of the line numbered `lineNo` in the file, or -1 when it was not kept. */
  indexOfLine(lineNo: number): number {
    let lo = 0;
    let hi = this.n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.lineNumber(mid);
      if (at === lineNo) return mid;
      if (at < lineNo) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Every line of the file (as it was when opened) is indexed. */
  get indexed(): boolean {
    return this.buffer === null;
  }

  /** Bytes indexed so far, of `size`. */
  get bytesIndexed(): number {
    return this.position;
  }

  /**
   * Indexes the next chunk of the file (4 MiB); returns the number of lines it added. Throws
   * BinaryInput at a NUL byte (the file is no recording).
   */
  indexMore(): number {
    const buffer = this.buffer;
    if (buffer === null) return 0;
    const want = Math.min(CHUNK, this.size - this.position);
    const read = want > 0 ? this.opened.read(buffer, want, this.position) : 0;

    if (read === 0) {
      // The last line without its line break was cut off while it was written: skipped.
      if (this.splitter.end() !== null) {
        this.lineNo++;
        this.skippedLines++;
      }
      this.buffer = null;
      return 0;
    }
    const before = this.n;
    // Lines before a NUL byte are indexed, then the reading stops there.
    const nul = buffer.subarray(0, read).indexOf(0);
    for (const line of this.splitter.push(buffer.subarray(0, nul === -1 ? read : nul))) {
      this.lineNo++;
      if (line.bytes === null) this.push(line.start, line.end, -this.lineNo);
      else if (isRecordShaped(line.bytes)) this.push(line.start, line.end, this.lineNo);
      else if (line.end > line.start) this.skippedLines++;
    }
    refuseBinary(buffer.subarray(0, read), this.position);
    this.position += read;
    return this.n - before;
  }

  private push(start: number, end: number, number: number): void {
    const at = (this.n % PAGE) * 3;
    if (at === 0) this.pages.push(new Float64Array(PAGE * 3));
    const page = this.pages[this.pages.length - 1] as Float64Array;
    page[at] = start;
    page[at + 1] = end;
    page[at + 2] = number;
    this.n++;
  }

  /** Where line i starts in the file (byte offset). */
  private startOf(i: number): number {
    return (this.pages[Math.floor(i / PAGE)] as Float64Array)[(i % PAGE) * 3] as number;
  }

  /** Where line i ends (its line break). */
  private endOf(i: number): number {
    return (this.pages[Math.floor(i / PAGE)] as Float64Array)[(i % PAGE) * 3 + 1] as number;
  }

  /** Line i's bytes (without the line break). */
  line(i: number): Buffer {
    const start = this.startOf(i);
    const length = this.endOf(i) - start;
    const bytes = Buffer.allocUnsafe(length);
    this.opened.read(bytes, length, start);
    return bytes;
  }

  /**
   * Lines `from` up to at most `to` (exclusive), read in one go into `into` (grown when one line
   * needs more): as many as fit (at least one). `block` holds their bytes, `offsets` each line's
   * start and end in it ([start, end, start, end, …]).
   */
  lines(from: number, to: number, into: Buffer): LineBlock {
    // A line too long to read is given as an empty line, on its own.
    if (this.isTooLong(from)) return { block: EMPTY, offsets: new Float64Array(2), count: 1 };
    const base = this.startOf(from);
    let last = from + 1;
    while (last < to && !this.isTooLong(last) && this.endOf(last) - base <= into.length) last++;
    const length = this.endOf(last - 1) - base;
    const block = length <= into.length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    this.opened.read(block, length, base);
    const offsets = new Float64Array((last - from) * 2);
    for (let i = from; i < last; i++) {
      offsets[(i - from) * 2] = this.startOf(i) - base;
      offsets[(i - from) * 2 + 1] = this.endOf(i) - base;
    }
    return { block, offsets, count: last - from };
  }

  /** Line i as an exchange, numbered by its line in the file. */
  exchange(i: number): Exchange {
    const kept = this.cache.get(i);
    if (kept) return kept;
    const ex = this.isTooLong(i)
      ? this.tooLong(i)
      : exchangeFromLine(this.line(i), this.lineNumber(i));
    if (this.cache.size >= CACHE) {
      const oldest = this.cache.keys().next().value as number;
      this.cache.delete(oldest);
    }
    this.cache.set(i, ex);
    return ex;
  }

  /** A row for line i, too long to read. */
  private tooLong(i: number): Exchange {
    const n = this.lineNumber(i);
    const bytes = this.endOf(i) - this.startOf(i);
    return unreadLineExchange(
      n,
      `too long to read: line ${n} is ${bytes} bytes, over --max-line (${this.maxLine})`,
    );
  }

  /** The exchanges as a read-only list that reads each one when it is asked for. */
  entries(): readonly Exchange[] {
    return lazyList(
      () => this.n,
      (i) => this.exchange(i),
    );
  }

  /** Where line i starts in the file, in bytes. */
  offsetOf(i: number): number {
    return i < this.n ? this.startOf(i) : this.position;
  }

  close(): void {
    this.opened.close();
  }
}

/** A read-only array whose items are made when asked for (`at(i)`), of a length that may grow. */
export function lazyList<T>(
  length: () => number,
  at: (i: number) => T,
  extra: Record<string, unknown> = {},
): readonly T[] {
  return new Proxy([] as T[], {
    get(target, prop, receiver) {
      if (prop === "length") return length();
      if (typeof prop === "string") {
        if (/^\d+$/.test(prop)) {
          const i = Number(prop);
          return i < length() ? at(i) : undefined;
        }
        if (Object.hasOwn(extra, prop)) return extra[prop];
      }
      return Reflect.get(target, prop, receiver);
    },
    has(_target, prop) {
      if (typeof prop === "string" && /^\d+$/.test(prop)) return Number(prop) < length();
      return prop === "length";
    },
  });
}
