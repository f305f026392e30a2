import type { Exchange } from "./exchange.js";
import type { ExchangeFilter, FilteredView } from "./exchange-query.js";

export interface Counters {
  received: number;
  valid: number;
  invalid: number;
  rejected: number;
  forwarded: number;
  filtered: number;
}

export type LogListener = (exchange: Exchange) => void;

/**
 * What the live UI reads: the exchanges (oldest first), counters, and news of new ones. The
 * listener's RequestLog is one; a recording opened by `inspect` is another (its entries read from
 * disk as they are shown).
 */
export interface ExchangeSource {
  readonly entries: readonly Exchange[];
  readonly counters: Counters;
  subscribe(listener: () => void): () => void;
  /** Only `received` is counted (a recording read on demand): the header shows no verdict counts. */
  readonly countsReceivedOnly?: boolean;
  /**
   * The exchanges a filter shows, when the source filters them itself (a recording on disk is
   * searched in the background, holding only the positions of the matches); without it the UI
   * filters `entries`.
   */
  view?(filter: ExchangeFilter): FilteredView;
  /** What the footer calls the reading (`loading`): default "reading". */
  readonly loadingLabel?: string;
  /** The header's count, for a source that counts only what it holds (`countsReceivedOnly`). */
  countText?(): string;
  /** Why reading the source stopped early (shown in the footer), if it did. */
  readonly failure?: string | null;
  /** What to say when there is nothing to show (else: waiting for events). */
  emptyText?(): string | null;
  /** Still reading the source (a recording being indexed): how far (0 to 1); null when done. */
  readonly loading?: number | null;
  /** The exchange numbered `seq`, for a source whose `entries` do not hold every row. */
  bySeq?(seq: number): Exchange | undefined;
}

/** The exchange numbered `seq` in the source, if it is still there. */
export function findBySeq(source: ExchangeSource, seq: number): Exchange | undefined {
  if (source.bySeq) return source.bySeq(seq);
  // Numbered in order: a binary search.
  const entries = source.entries;
  let lo = 0;
  let hi = entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = (entries[mid] as Exchange).seq;
    if (at === seq) return entries[mid];
    if (at < seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/**
 * The listener's model, outside any UI: the last `limit` exchanges, counters over all of them,
 * and subscribers (the terminal UI, the line printer, `events()` of the library API).
 */
export class RequestLog {
  readonly counters: Counters = {
    received: 0,
    valid: 0,
    invalid: 0,
    rejected: 0,
    forwarded: 0,
    filtered: 0,
  };
  private items: Exchange[] = [];
  private listeners = new Set<LogListener>();
  /** Body bytes held by the kept exchanges that are not summaries. */
  private bytes = 0;
  /** Index of the oldest kept exchange that still holds its body. */
  private oldestFull = 0;

  /**
   * @param limit exchanges kept (the last ones)
   * @param maxBytes body bytes kept at most: past it, the oldest exchanges are kept as summaries
   *   (their body and headers dropped, `summary` set) so a run of large requests stays bounded.
   */
  constructor(
    readonly limit = 1000,
    readonly maxBytes = DEFAULT_LOG_BYTES,
  ) {}

  /**
   * Adds an exchange. One sent from the UI (`counted: false`, an edited event) is shown and
   * handed to subscribers but not counted: the counters count what the listener received.
   */
  add(exchange: Exchange, options: { counted?: boolean } = {}): void {
    if (options.counted !== false) this.count(exchange);
    if (this.limit > 0) {
      this.items.push(exchange);
      this.bytes += exchange.request.body.length;
      // Trim in batches: one copy per `limit` additions instead of one per request.
      if (this.items.length >= this.limit * 2) this.trim();
      this.summarizeOldest();
    }
    if (this.listeners.size > 0) for (const listener of this.listeners) listener(exchange);
  }

  private count(exchange: Exchange): void {
    const c = this.counters;
    c.received++;
    const { verdict } = exchange;
    if (verdict.rejected) c.rejected++;
    if (verdict.validation) {
      if (verdict.validation.valid) c.valid++;
      else c.invalid++;
    }
    if (verdict.filtered) c.filtered++;
    if (exchange.forward && exchange.forward.status !== null) c.forwarded++;
  }

  /** The kept exchanges (the last `limit`), oldest first. */
  get entries(): readonly Exchange[] {
    if (this.items.length > this.limit) this.trim();
    return this.items;
  }

  /** Body bytes the kept exchanges hold. */
  get heldBytes(): number {
    return this.bytes;
  }

  private trim(): void {
    const drop = this.items.length - this.limit;
    for (let i = Math.max(this.oldestFull, 0); i < drop; i++) {
      this.bytes -= (this.items[i] as Exchange).request.body.length;
    }
    this.oldestFull = Math.max(0, this.oldestFull - drop);
    this.items = this.items.slice(drop);
  }

  /** Turns the oldest exchanges into summaries until the bodies fit in `maxBytes`. */
  private summarizeOldest(): void {
    while (this.bytes > this.maxBytes && this.oldestFull < this.items.length - 1) {
      const ex = this.items[this.oldestFull] as Exchange;
      this.bytes -= ex.request.body.length;
      this.items[this.oldestFull] = summaryOf(ex);
      this.oldestFull++;
    }
  }

  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Body bytes the log keeps by default (64 MB): ~64 requests of 1 MB in full, the rest summaries. */
export const DEFAULT_LOG_BYTES = 64 * 1024 * 1024;

const NO_BODY = Buffer.alloc(0);

/** An exchange without its body, headers or parsed event: what a list row shows. */
function summaryOf(ex: Exchange): Exchange {
  const v = ex.verdict;
  return {
    ...ex,
    request: {
      method: ex.request.method,
      url: shortText(ex.request.url),
      headers: {},
      body: NO_BODY,
    },
    // The texts taken from the body are cut too: a title may be as long as the body was.
    verdict: {
      ...v,
      event: undefined,
      title: v.title === null ? null : shortText(v.title),
      eventId: v.eventId === null ? null : shortText(v.eventId),
      error: v.error === null ? null : shortText(v.error),
      validation: v.validation && {
        ...v.validation,
        errors: v.validation.errors.slice(0, 10),
        warnings: v.validation.warnings.slice(0, 10),
      },
    },
    summary: { bodyBytes: ex.request.body.length },
  };
}

/** Characters of a text a summary keeps. */
const SUMMARY_TEXT = 500;
const shortText = (text: string) =>
  text.length > SUMMARY_TEXT ? `${text.slice(0, SUMMARY_TEXT)}…` : text;
