import {
  isSkipped,
  keepRecord,
  type RecordedEvent,
  type RecordFilter,
  type RecordingItem,
  type WarningSink,
} from "../recording/recording.js";
import type { PlannedRequest } from "./requests.js";
import type { DeliverOptions, PlanSource } from "./send.js";

export interface ReplayOptions extends DeliverOptions, RecordFilter {
  /** A `listen --record` file or a folder of JSON files. */
  source: string;
  /** Send the recorded signature header instead of signing afresh. */
  keepSignature?: boolean;
  /** ms between sends. */
  delayMs?: number | undefined;
  /** `original` keeps the recorded gaps between events (divided by `speed`). */
  timing?: "fast" | "original";
  speed?: number;
  /** Told of each wait over a minute that `timing: "original"` brings (ms), before it. */
  onLongWait?: (waitMs: number) => void;
}

/** Waits longer than this are said before they start. */
export const LONG_WAIT_MS = 60_000;

/** How many records a replay read, and how many of them passed the filters. */
export interface ReplayTally {
  read: number;
  matched: number;
  /** Left out for being rejected by the listener (without includeRejected). */
  rejected?: number;
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The requests of a replay, read from the source a batch of records at a time, filtered and
 * timed. A PlanSource: `next()` answers at once while the batch read last lasts (no promise per
 * record, which three generators in a row cost: a fifth of replay's time per request), and waits
 * for the next batch only when it is used up. Several senders may ask at once; one batch is read
 * at a time. Also an async iterable, for --chaos and --dry-run. `tally` is counted as records are
 * taken.
 */
export class ReplayPlan implements PlanSource, AsyncIterable<PlannedRequest> {
  private batch: readonly RecordingItem[] = [];
  private at = 0;
  private ended = false;
  private reading: Promise<void> | null = null;
  private index = 0;
  private first: number | null = null;
  private lastDueMs = 0;

  constructor(
    private readonly batches: AsyncIterator<readonly RecordingItem[]>,
    private readonly options: ReplayOptions,
    readonly tally: ReplayTally = { read: 0, matched: 0 },
    /** Told of each skipped line as the plan gets to it. */
    private readonly warn: WarningSink = () => {},
  ) {}

  next(): IteratorResult<PlannedRequest> | Promise<IteratorResult<PlannedRequest>> {
    if (this.reading === null) {
      const planned = this.take();
      if (planned !== null) return { done: false, value: planned };
      if (this.ended) return DONE;
    }
    return this.nextRead();
  }

  [Symbol.asyncIterator](): AsyncIterator<PlannedRequest> {
    return {
      next: async () => this.next(),
      // A consumer that stops early (a `for await` left with break) closes the file.
      return: async () => {
        this.ended = true;
        this.batch = [];
        await this.batches.return?.();
        return DONE;
      },
    };
  }

  private async nextRead(): Promise<IteratorResult<PlannedRequest>> {
    for (;;) {
      while (this.reading !== null) await this.reading;
      const planned = this.take();
      if (planned !== null) return { done: false, value: planned };
      if (this.ended) return DONE;
      this.reading = this.read();
    }
  }

  private async read(): Promise<void> {
    try {
      const step = await this.batches.next();
      if (step.done) this.ended = true;
      else {
        this.batch = step.value;
        this.at = 0;
      }
    } catch (error) {
      this.ended = true;
      throw error;
    } finally {
      this.reading = null;
    }
  }

  /** The next record of the batch that passes the filters, as a request; null when it is used up. */
  private take(): PlannedRequest | null {
    while (this.at < this.batch.length) {
      const r = this.batch[this.at++] as RecordingItem;
      if (isSkipped(r)) {
        this.warn(r.skipped);
        continue;
      }
      this.tally.read++;
      if (!keepRecord(r, this.options)) {
        if (r.rejected && !this.options.includeRejected) {
          this.tally.rejected = (this.tally.rejected ?? 0) + 1;
        }
        continue;
      }
      this.tally.matched++;
      return this.planned(r);
    }
    return null;
  }

  /** A kept record as a request: its bytes, its signature when kept, when it is due. */
  private planned(r: RecordedEvent): PlannedRequest {
    const options = this.options;
    const planned: PlannedRequest = { eventType: r.eventType, eventId: r.eventId, body: r.body };
    if (options.keepSignature) planned.signature = r.signature ?? "";
    if (options.timing === "original" && r.receivedAt !== null) {
      this.first ??= r.receivedAt;
      planned.dueMs = (r.receivedAt - (this.first ?? r.receivedAt)) / (options.speed ?? 1);
      const wait = planned.dueMs - this.lastDueMs;
      if (wait > LONG_WAIT_MS) options.onLongWait?.(wait);
      this.lastDueMs = planned.dueMs;
    } else if (options.delayMs) {
      planned.dueMs = this.index * options.delayMs;
    } else if (options.rate) {
      planned.dueMs = (this.index * 1000) / options.rate;
    }
    this.index++;
    return planned;
  }
}
