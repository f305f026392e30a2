import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { isPlainObject, tryParseJson } from "../json.js";
import type { ValidationResult } from "../validation/types.js";
import type { Exchange, ForwardResult } from "./exchange.js";
import { recordedBody } from "./exchange.js";
import { type IncomingRequest, receive, type SignatureVerdict, type Verdict } from "./receive.js";

/*
 * A recording opened for browsing (`inspect`): the file is read once, in chunks, for the byte
 * offsets of its lines (16 bytes a line: 1,000,000 lines hold 16 MB); a line is read from
 * disk and parsed when it is shown, and the last few parsed are kept. A line cut short (the
 * last one, without its line break, after a kill -9) and lines that are no JSON object are
 * skipped.
 */

const CHUNK = 4 * 1024 * 1024;
/** Exchanges kept parsed (the rows on screen and around them). */
const CACHE = 512;

export class RecordingIndex {
  private cache = new Map<number, Exchange>();
  /** starts[i]: the byte offset of line i; ends[i]: of its line break. */
  private starts = new Float64Array(1024);
  private ends = new Float64Array(1024);
  private n = 0;
  /** Bytes of the file read for the index so far. */
  private position = 0;
  private lineStart = 0;
  /** The first byte of the current line (`{` for a JSON object line), -1 before it is read. */
  private firstByte = -1;
  private buffer: Buffer | null = Buffer.allocUnsafe(CHUNK);
  /** The file's size when it was opened: what the index covers (lines appended later are not). */
  readonly size: number;

  private constructor(
    readonly file: string,
    private readonly fd: number,
  ) {
    this.size = fstatSync(fd).size;
  }

  /** Reads `file` once and indexes its lines. */
  static open(file: string): RecordingIndex {
    const index = RecordingIndex.start(file);
    while (!index.indexed) index.indexMore();
    return index;
  }

  /**
   * Opens `file` for indexing, a chunk at a time (`indexMore`): lines are browsable as soon as
   * their chunk is read, so a large recording shows its first rows at once.
   */
  static start(file: string): RecordingIndex {
    return new RecordingIndex(file, openSync(file, "r"));
  }

  /** Lines indexed so far. */
  get length(): number {
    return this.n;
  }

  /** Every line of the file (as it was when opened) is indexed. */
  get indexed(): boolean {
    return this.buffer === null;
  }

  /** Bytes indexed so far, of `size`. */
  get bytesIndexed(): number {
    return this.position;
  }

  /** Indexes the next chunk of the file (4 MiB); returns the number of lines it added. */
  indexMore(): number {
    const buffer = this.buffer;
    if (buffer === null) return 0;
    const want = Math.min(CHUNK, this.size - this.position);
    const read = want > 0 ? readSync(this.fd, buffer, 0, want, this.position) : 0;
    if (read === 0) {
      // The last line without its line break was cut off while it was written: skipped.
      this.buffer = null;
      return 0;
    }
    const before = this.n;
    let from = 0;
    while (from < read) {
      if (this.firstByte === -1) this.firstByte = buffer[from] as number;
      const nl = buffer.indexOf(10, from);
      if (nl === -1 || nl >= read) break;
      const end = this.position + nl;
      // A JSON object line ("{…}"); blank and other lines are skipped.
      if (this.firstByte === 0x7b && end > this.lineStart) this.push(this.lineStart, end);
      this.lineStart = end + 1;
      this.firstByte = -1;
      from = nl + 1;
    }
    this.position += read;
    return this.n - before;
  }

  private push(start: number, end: number): void {
    if (this.n === this.starts.length) {
      const s = new Float64Array(this.n * 2);
      s.set(this.starts);
      this.starts = s;
      const e = new Float64Array(this.n * 2);
      e.set(this.ends);
      this.ends = e;
    }
    this.starts[this.n] = start;
    this.ends[this.n] = end;
    this.n++;
  }

  /** Line i's bytes (without the line break). */
  line(i: number): Buffer {
    const start = this.starts[i] as number;
    const length = (this.ends[i] as number) - start;
    const bytes = Buffer.allocUnsafe(length);
    readSync(this.fd, bytes, 0, length, start);
    return bytes;
  }

  /**
   * Lines `from` up to at most `to` (exclusive), read in one go, at most `maxBytes` of them (but
   * at least one line): each line's bytes are a view of one buffer.
   */
  lines(from: number, to: number, maxBytes = CHUNK): Buffer[] {
    const base = this.starts[from] as number;
    let last = from + 1;
    while (last < to && (this.ends[last] as number) - base <= maxBytes) last++;
    const length = (this.ends[last - 1] as number) - base;
    const block = Buffer.allocUnsafe(length);
    readSync(this.fd, block, 0, length, base);
    const out: Buffer[] = [];
    for (let i = from; i < last; i++) {
      out.push(block.subarray((this.starts[i] as number) - base, (this.ends[i] as number) - base));
    }
    return out;
  }

  /** Line i as an exchange (numbered from 1); a line that is no recorded request is shown as one. */
  exchange(i: number): Exchange {
    const kept = this.cache.get(i);
    if (kept) return kept;
    const ex = exchangeFromLine(this.line(i), i + 1);
    if (this.cache.size >= CACHE) {
      const oldest = this.cache.keys().next().value as number;
      this.cache.delete(oldest);
    }
    this.cache.set(i, ex);
    return ex;
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
    return i < this.n ? (this.starts[i] as number) : this.position;
  }

  close(): void {
    closeSync(this.fd);
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

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** The ticket's title in a parsed event, if it has one. */
function titleOf(event: unknown): string | null {
  if (!isPlainObject(event) || !isPlainObject(event.data)) return null;
  const ticket = event.data.ticket;
  return isPlainObject(ticket) ? str(ticket.title) : null;
}

/** Bodies recorded as a JSON string are parsed for their title up to this size. */
const TITLE_PARSE_LIMIT = 256 * 1024;

/**
 * The verdict as recorded, when the line holds it (`event_type` and `validation`, written by
 * every listen since they were added): nothing is validated again, so a line costs one parse.
 * Null for older lines.
 */
function recordedVerdict(
  record: Record<string, unknown>,
  signature: SignatureVerdict,
  status: number | null,
): Verdict | null {
  if (!("event_type" in record) || !("validation" in record)) return null;
  let title: string | null = null;
  if (record.body_encoding === "json") title = titleOf(record.body);
  else if (
    record.body_encoding === "utf8" &&
    typeof record.body === "string" &&
    record.body.length <= TITLE_PARSE_LIMIT
  ) {
    const body = tryParseJson(record.body);
    if (body.ok) title = titleOf(body.value);
  }
  return {
    status: status ?? 0,
    responseBody: "",
    rejected: record.rejected === true,
    error: str(record.error),
    signature,
    validation: isPlainObject(record.validation)
      ? (record.validation as unknown as ValidationResult)
      : null,
    event: undefined,
    eventType: str(record.event_type),
    eventId: str(record.event_id),
    title,
    filtered: false,
  };
}

/** A recorded line back as an exchange: its request, and the verdict as recorded. */
export function exchangeFromLine(line: Buffer, seq: number): Exchange {
  const parsed = tryParseJson(line.toString("utf8"));
  const record = parsed.ok && isPlainObject(parsed.value) ? parsed.value : {};
  const headers = isPlainObject(record.headers) ? (record.headers as Record<string, string>) : {};
  const request: IncomingRequest = {
    method: str(record.method) ?? "POST",
    url: str(record.path) ?? "/",
    headers,
    body: recordedBody(record, line),
  };
  const sig = isPlainObject(record.signature) ? record.signature : {};
  const signature: SignatureVerdict = {
    status: (str(sig.status) as SignatureVerdict["status"]) ?? "skipped",
    header: str(sig.header),
    reason: str(sig.reason),
  };
  const at = Date.parse(str(record.received_at) ?? "");
  const status = typeof record.status === "number" ? record.status : null;
  const forward = isPlainObject(record.forward)
    ? (record.forward as unknown as ForwardResult)
    : null;
  const base = {
    // Numbered by line: a recording appended to by several runs repeats their seq numbers.
    seq,
    receivedAt: new Date(Number.isNaN(at) ? 0 : at),
    request,
    status,
    forward,
    aborted: record.aborted === true,
  };
  const recorded = recordedVerdict(record, signature, status);
  if (recorded) return { ...base, verdict: recorded };
  // An older line: what it did not record is worked out again from the request.
  const verdict = receive(
    request,
    { path: request.url.split("?")[0] ?? "/" },
    Math.floor(Date.now() / 1000),
  );
  return {
    ...base,
    verdict: {
      ...verdict,
      status: status ?? verdict.status,
      rejected: record.rejected === true,
      error: str(record.error),
      signature,
      validation: isPlainObject(record.validation)
        ? (record.validation as unknown as NonNullable<typeof verdict.validation>)
        : verdict.validation,
      filtered: false,
      event: undefined,
    },
  };
}
