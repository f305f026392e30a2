import { closeSync, openSync, readSync } from "node:fs";
import { isPlainObject, tryParseJson } from "../json.js";
import type { Exchange, ForwardResult } from "./exchange.js";
import { recordedBody } from "./exchange.js";
import { type IncomingRequest, receive, type SignatureVerdict } from "./receive.js";
import type { ExchangeSource } from "./request-log.js";

/*
 * A recording opened for browsing (`inspect`): the file is read once, in chunks, for the byte
 * offsets of its line starts (8 bytes a line: 1,000,000 lines hold 8 MB); a line is read from
 * disk and parsed when it is shown, and the last few parsed are kept. A line cut short (the
 * last one, without its line break, after a kill -9) and lines that are no JSON object are
 * skipped.
 */

const CHUNK = 4 * 1024 * 1024;
/** Exchanges kept parsed (the rows on screen and around them). */
const CACHE = 512;

export class RecordingIndex {
  private cache = new Map<number, Exchange>();

  private constructor(
    readonly file: string,
    private readonly fd: number,
    /** starts[i]: the byte offset of line i; ends[i]: of its line break. */
    private readonly starts: Float64Array,
    private readonly ends: Float64Array,
    readonly length: number,
  ) {}

  /** Reads `file` once and indexes its lines. */
  static open(file: string): RecordingIndex {
    const fd = openSync(file, "r");
    let starts = new Float64Array(1024);
    let ends = new Float64Array(1024);
    let n = 0;
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = 0;
    let lineStart = 0;
    /** The first byte of the current line is `{` (checked when it is read). */
    let firstByte = -1;
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK, position);
      if (read === 0) break;
      let from = 0;
      while (from < read) {
        if (firstByte === -1) firstByte = buffer[from] as number;
        const nl = buffer.indexOf(10, from);
        if (nl === -1 || nl >= read) break;
        const end = position + nl;
        // A JSON object line ("{…}"); blank and other lines are skipped.
        if (firstByte === 0x7b && end > lineStart) {
          if (n === starts.length) {
            const s = new Float64Array(n * 2);
            s.set(starts);
            starts = s;
            const e = new Float64Array(n * 2);
            e.set(ends);
            ends = e;
          }
          starts[n] = lineStart;
          ends[n] = end;
          n++;
        }
        lineStart = end + 1;
        firstByte = -1;
        from = nl + 1;
      }
      position += read;
    }
    // The last line without its line break was cut off while it was written: skipped.
    return new RecordingIndex(file, fd, starts, ends, n);
  }

  /**
   * The lines whose recorded request passes `keep` (e.g. `--where`): each line is read and
   * checked once, the offsets of those kept are the new index's (same file).
   */
  filter(keep: (exchange: Exchange) => boolean): RecordingIndex {
    const starts = new Float64Array(this.length);
    const ends = new Float64Array(this.length);
    let n = 0;
    for (let i = 0; i < this.length; i++) {
      if (!keep(exchangeFromLine(this.line(i), i + 1))) continue;
      starts[n] = this.starts[i] as number;
      ends[n] = this.ends[i] as number;
      n++;
    }
    return new RecordingIndex(this.file, this.fd, starts, ends, n);
  }

  /** Line i's bytes (without the line break). */
  line(i: number): Buffer {
    const start = this.starts[i] as number;
    const length = (this.ends[i] as number) - start;
    const bytes = Buffer.allocUnsafe(length);
    readSync(this.fd, bytes, 0, length, start);
    return bytes;
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
    const index = this;
    return new Proxy([] as Exchange[], {
      get(target, prop, receiver) {
        if (prop === "length") return index.length;
        if (typeof prop === "string" && /^\d+$/.test(prop)) {
          const i = Number(prop);
          return i < index.length ? index.exchange(i) : undefined;
        }
        return Reflect.get(target, prop, receiver);
      },
      has(_target, prop) {
        if (typeof prop === "string" && /^\d+$/.test(prop)) return Number(prop) < index.length;
        return prop === "length";
      },
    });
  }

  /** The recording as the live UI's source (nothing new arrives; counters count lines). */
  source(): ExchangeSource {
    const counters = {
      received: this.length,
      valid: 0,
      invalid: 0,
      rejected: 0,
      forwarded: 0,
      filtered: 0,
    };
    return {
      entries: this.entries(),
      counters,
      subscribe: () => () => {},
      countsReceivedOnly: true,
    };
  }

  close(): void {
    closeSync(this.fd);
  }
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

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
  const base = receive(
    request,
    { path: request.url.split("?")[0] ?? "/" },
    Math.floor(Date.now() / 1000),
  );
  const sig = isPlainObject(record.signature) ? record.signature : {};
  const signature: SignatureVerdict = {
    status: (str(sig.status) as SignatureVerdict["status"]) ?? "skipped",
    header: str(sig.header),
    reason: str(sig.reason),
  };
  const at = Date.parse(str(record.received_at) ?? "");
  const status = typeof record.status === "number" ? record.status : null;
  return {
    // Numbered by line: a recording appended to by several runs repeats their seq numbers.
    seq,
    receivedAt: new Date(Number.isNaN(at) ? 0 : at),
    request,
    verdict: {
      ...base,
      status: status ?? base.status,
      rejected: record.rejected === true,
      error: str(record.error),
      signature,
      validation: isPlainObject(record.validation)
        ? (record.validation as unknown as NonNullable<typeof base.validation>)
        : base.validation,
      filtered: false,
      event: undefined,
    },
    status,
    forward: isPlainObject(record.forward) ? (record.forward as unknown as ForwardResult) : null,
    aborted: record.aborted === true,
  };
}
