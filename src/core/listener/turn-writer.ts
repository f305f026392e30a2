import { TicketHooksError } from "../errors.js";
import type { Exchange } from "../exchanges/exchange.js";
import type { RequestLog } from "../exchanges/request-log.js";
import type { HttpReply, Recorder } from "../receiving/ports.js";
import { LineBatch } from "../recording/line-batch.js";
import { LineOutput, type LineSink } from "../recording/line-output.js";

/*
 * Where a handled exchange goes: its line into the recording and the --json output, then the log.
 * Lines are encoded once, into one buffer per turn of the event loop, for the recording and the
 * output alike: one write each per turn, whatever the load. The HTTP adapter hands over each
 * turn's answers before it sends them (`answering`): their lines are written first, so every
 * request whose answer left is in the file, even after a kill -9. When the recording cannot take
 * a turn's lines, those requests are answered 503 (not recorded, so not accepted: the platform
 * sends again), and the output shows the 503.
 */

/** Lines are handed over early past this many bytes in one turn. */
const FLUSH_AT = 256 * 1024;

/** The answer when the recording cannot be written. */
export const NOT_RECORDED: HttpReply = {
  status: 503,
  body: JSON.stringify({
    error: "the recording cannot be written: not accepted, send again later",
  }),
};

export interface TurnWriterOptions {
  recorder: Recorder | undefined;
  output: LineSink | undefined;
  /** Bytes of output waiting for a slow reader before lines are dropped. */
  outputQueueLimit?: number | undefined;
  log: RequestLog;
  /** Drop each exchange's parsed event before it is logged (the UI parses what it shows). */
  stripEvents: boolean;
  onExchange?: ((exchange: Exchange) => void) | undefined;
  onError?: ((error: Error) => void) | undefined;
}

export class TurnWriter {
  private readonly output: LineOutput | undefined;
  private readonly batch: LineBatch | undefined;
  /** The exchanges whose lines are in `batch`, in order. */
  private turn: Exchange[] = [];
  private flushScheduled = false;
  /** The recording failed once: said once, counted after. */
  private failed = false;
  private recorded = 0;
  /** Requests that could not be recorded (answered 503). */
  notRecorded = 0;

  constructor(private readonly options: TurnWriterOptions) {
    this.output = options.output
      ? new LineOutput(options.output, (e) => options.onError?.(e), options.outputQueueLimit)
      : undefined;
    this.batch = options.recorder || this.output ? new LineBatch() : undefined;
  }

  /** `--json` lines dropped because the output's reader was too slow or gone. */
  get droppedLines(): number {
    return this.output?.dropped ?? 0;
  }

  /** An exchange whose answer is settled (a request cut off): its line goes into this turn. */
  finish(ex: Exchange): void {
    if (!this.batch) {
      this.logged(ex);
      return;
    }
    this.add(ex);
    if (this.batch.size > FLUSH_AT) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Before a turn's answers leave, with the status each client gets: their lines are written.
   * Returns the answer to send instead (503) when they could not be recorded.
   */
  answering(
    replies: readonly HttpReply[],
    sent: readonly (number | null)[],
  ): HttpReply | undefined {
    for (let i = 0; i < replies.length; i++) {
      const ex = replies[i]?.note as Exchange | undefined;
      if (!ex) continue;
      ex.status = sent[i] ?? null;
      if (this.batch) this.add(ex);
      else this.logged(ex);
    }
    if (!this.batch) return undefined;
    return this.flush() ? undefined : NOT_RECORDED;
  }

  /** Writes the turn's lines; false when the recording could not take them. */
  flush(): boolean {
    this.flushScheduled = false;
    const exchanges = this.turn;
    this.turn = [];
    let ok = true;
    this.batch?.drain((all, shown) => {
      const error = this.options.recorder?.write(all) ?? null;
      if (error) {
        ok = false;
        this.recordFailed(error, exchanges.length);
        return true;
      }
      this.recorded += exchanges.length;
      // The output takes a copy: the batch's buffer takes the next turn's lines.
      this.output?.write(shown);
      return true;
    });
    if (!ok) this.showNotRecorded(exchanges);
    for (const ex of exchanges) this.logged(ex);
    return ok;
  }

  private add(ex: Exchange): void {
    this.batch?.add(ex, !ex.verdict.filtered);
    this.turn.push(ex);
  }

  private recordFailed(error: Error, requests: number): void {
    this.notRecorded += requests;
    if (this.failed) return;
    this.failed = true;
    this.options.onError?.(
      new TicketHooksError(
        "RECORD_FAILED",
        `${error.message}: answering 503 until it can be written (${this.recorded} request(s) recorded so far)`,
        { kind: "failed" },
      ),
    );
  }

  /** Not recorded, so not accepted: what the clients get (503) is what --json shows. */
  private showNotRecorded(exchanges: readonly Exchange[]): void {
    for (const ex of exchanges) if (ex.status !== null && !ex.aborted) ex.status = 503;
    const { output, batch } = this;
    if (!output || !batch) return;
    for (const ex of exchanges) batch.add(ex, !ex.verdict.filtered);
    batch.drain((_all, shown) => {
      output.write(shown);
      return true;
    });
  }

  private logged(ex: Exchange): void {
    const { log, stripEvents, onExchange } = this.options;
    log.add(stripEvents ? { ...ex, verdict: { ...ex.verdict, event: undefined } } : ex);
    onExchange?.(ex);
  }
}
