import type { Exchange } from "../exchanges/exchange.js";
import { LineEncoder } from "./line-encoder.js";

/**
 * Exchanges' lines encoded once into one buffer, for the recording and the `--json` output alike:
 * the body bytes are copied in as received, never decoded and encoded again.
 */
export class LineBatch {
  private buffer: Buffer;
  private used = 0;
  /** Byte ranges of lines not to show (filtered events), in order; empty most of the time. */
  private hidden: number[] = [];
  private readonly encoder = new LineEncoder();

  constructor(private readonly initialSize = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes waiting. */
  get size(): number {
    return this.used;
  }

  add(ex: Exchange, shown = true): void {
    const { text, body } = this.encoder.parts(ex);
    const start = this.used;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(text.length * 3 + (body ? body.length + 2 : 1));
    this.used += this.buffer.write(text, this.used, "utf8");
    if (body) {
      this.used += body.copy(this.buffer, this.used);
      this.buffer[this.used++] = 0x7d; // }
    }
    this.buffer[this.used++] = 0x0a; // \n
    if (!shown) this.hidden.push(start, this.used);
  }

  /**
   * Hands every line so far (`all`) and those to show to `consume`, and starts empty again.
   * `consume` returns true when it is done with the bytes: their memory then takes the next lines.
   */
  drain(consume: (all: Buffer, shown: Buffer) => boolean): void {
    if (this.used === 0) return;
    const all = this.buffer.subarray(0, this.used);
    let shown = all;
    if (this.hidden.length > 0) {
      const parts: Buffer[] = [];
      let at = 0;
      for (let i = 0; i < this.hidden.length; i += 2) {
        parts.push(all.subarray(at, this.hidden[i]));
        at = this.hidden[i + 1] as number;
      }
      parts.push(all.subarray(at));
      shown = Buffer.concat(parts);
      this.hidden = [];
    }
    const used = this.used;
    this.used = 0;
    const done = consume(all, shown);
    // Bytes still held (in a stream's queue, say) are left alone: the next lines go into fresh
    // memory, as much as this turn took and half again, not the size of the largest turn so far
    // (under load that was most of listen's memory: 15 MB of buffers waiting to be collected).
    // A buffer grown for a burst of large bodies is not kept.
    if (!done || this.buffer.length > KEPT_AT_MOST) {
      const next = Math.max(this.initialSize, used + (used >> 1));
      this.buffer = Buffer.allocUnsafe(Math.min(next, this.buffer.length, KEPT_AT_MOST));
    }
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}

/** The largest line buffer kept from one turn to the next. */
const KEPT_AT_MOST = 1024 * 1024;
