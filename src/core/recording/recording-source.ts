import { describeFsError, usageError } from "../errors.js";
import type { Exchange } from "../exchanges/exchange.js";
import {
  type ExchangeFilter,
  type FilteredView,
  filterKey,
  filterReadsBody,
  matches,
  NO_FILTER,
} from "../exchanges/exchange-query.js";
import type { Counters, ExchangeSource } from "../exchanges/request-log.js";
import { LineMatcher } from "./line-match.js";
import { BinaryInput } from "./lines.js";
import { exchangeFromLine, headMatches } from "./recorded-line.js";
import { lazyList, lineOf, type RecordingIndex } from "./recording-index.js";

/*
 * A recording as the live UI's source (`inspect`). The work that grows with the file is done in
 * the background, a slice at a time between key presses and frames: indexing the lines, and
 * searching them for a filter. A search keeps the positions of its matches only (4 bytes each),
 * parses just the lines whose bytes could match (`LineMatcher`), and shows what it has found so
 * far; the views of the last few filters are kept, the one asked for last is searched first.
 * Rows sent from the UI (an edited event) are appended after the recording's; the file is never
 * written.
 */

export interface RecordingSourceOptions {
  /** Only the exchanges this keeps are shown (`--where`), in every view. */
  keep?: (exchange: Exchange) => boolean;
  /** False for a line `keep` cannot keep, judged on its bytes (saves parsing it). */
  keepLine?: (line: Buffer) => boolean;
  /** Milliseconds of background work at a time (default 12). */
  sliceMs?: number;
  /** Runs the next slice (default setImmediate). */
  schedule?: (run: () => void) => void;
}

/** Views kept (the filters asked for last). */
const VIEWS = 4;
/** Lines read from disk at a time while searching, and at most this many bytes of them. */
const BATCH = 2048;
const BLOCK = 1024 * 1024;

const now = () => performance.now();

export class RecordingSource implements ExchangeSource {
  readonly countsReceivedOnly = true;
  private readonly appended: Exchange[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly views = new Map<string, FilterView>();
  private readonly base: FilterView | AllView;
  /** The view asked for last (searched before the others). */
  private active: FilterView | null = null;
  private scheduled = false;
  private closed = false;
  /** Why the background work stopped early, if it did. */
  failure: string | null = null;
  private readonly sliceMs: number;
  private readonly schedule: (run: () => void) => void;

  constructor(
    readonly index: RecordingIndex,
    private readonly options: RecordingSourceOptions = {},
  ) {
    this.sliceMs = options.sliceMs ?? 12;
    this.schedule = options.schedule ?? ((run) => setImmediate(run));
    this.base = options.keep ? this.filterView(NO_FILTER) : new AllView(this);
  }

  /** The rows sent from the UI, after the recording's. */
  get extra(): readonly Exchange[] {
    return this.appended;
  }

  get entries(): readonly Exchange[] {
    return this.base.entries;
  }

  get counters(): Counters {
    return {
      received: this.base.recorded,
      valid: 0,
      invalid: 0,
      rejected: 0,
      forwarded: 0,
      filtered: 0,
    };
  }

  /** What the footer calls the background reading: `filtering` with --where. */
  get loadingLabel(): string {
    return this.options.keep ? "filtering" : "reading";
  }

  /** The header's count: the rows, or how many of the recorded ones match --where. */
  countText(): string {
    const n = (k: number) => k.toLocaleString("en-US");
    if (!(this.base instanceof FilterView)) return `${n(this.index.length)} request(s) recorded`;
    const sofar = this.base.complete ? "" : " so far";
    return `${n(this.base.recorded)} of ${n(this.index.length)} recorded request(s) match --where${sofar}`;
  }

  get loading(): number | null {
    const { index } = this;
    return index.indexed || this.failure
      ? null
      : index.size === 0
        ? 0
        : index.bytesIndexed / index.size;
  }

  view(filter: ExchangeFilter): FilteredView {
    const key = filterKey(filter);
    if (key === filterKey(NO_FILTER)) {
      // A search cleared: it stops, and the view shown (the --where one) goes on.
      this.active = null;
      return this.base;
    }
    const view = this.filterView(filter);
    if (this.active !== view) {
      this.active = view;
      this.pump();
    }
    return view;
  }

  private filterView(filter: ExchangeFilter): FilterView {
    const key = filterKey(filter);
    let view = this.views.get(key);
    if (view) {
      // Most recently used last.
      this.views.delete(key);
    } else {
      view = new FilterView(this, filter, this.options.keep, this.options.keepLine);
      if (this.views.size >= VIEWS) {
        for (const [oldKey, old] of this.views) {
          if (old === this.base) continue;
          this.views.delete(oldKey);
          break;
        }
      }
    }
    this.views.set(key, view);
    return view;
  }

  /** The number the next appended row gets (after the recording's lines). */
  nextSeq(): number {
    return this.index.linesSeen + this.appended.length + 1;
  }

  /** The row numbered `seq`: a recorded line (a line number) or a row sent from the UI. */
  bySeq(seq: number): Exchange | undefined {
    const at = this.index.indexOfLine(seq);
    if (at !== -1) return this.index.exchange(at);
    return this.appended.find((ex) => ex.seq === seq);
  }

  /** Rows sent from the UI so far. */
  get sent(): number {
    return this.appended.length;
  }

  /** What the UI says when no row is shown, or null when the usual text fits. */
  emptyText(): string | null {
    const { index } = this;
    if (this.failure) return this.failure;
    if (!index.indexed) return `Reading ${index.file}…`;
    if (this.base instanceof FilterView) {
      if (!this.base.complete) return "Looking for the requests that match --where…";
      return `None of the ${index.length.toLocaleString("en-US")} recorded request(s) match --where`;
    }
    const skipped = index.skipped
      ? ` (${index.skipped.toLocaleString("en-US")} line(s) skipped: not a UTF-8 JSON object, or cut short)`
      : "";
    return `No recorded requests in ${index.file}${skipped}`;
  }

  /** Throws unless a row can be appended now: once the recording is read to its end. */
  checkAppend(): void {
    if (!this.index.indexed) {
      throw usageError(
        "STILL_READING",
        "the recording is still being read: try again when it is (the footer shows how far)",
      );
    }
  }

  /** Adds a row sent from the UI (numbered `nextSeq()`); only once the recording is indexed. */
  append(make: (seq: number) => Exchange): Exchange {
    this.checkAppend();
    const ex = make(this.nextSeq());
    this.appended.push(ex);
    this.notify();
    return ex;
  }

  /**
   * The background work starts with the first subscriber (the UI, once it shows): not while the
   * UI's modules load, whose every file read would wait behind a slice.
   */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    this.pump();
    return () => this.listeners.delete(listener);
  }

  /** Stops the background work. */
  close(): void {
    this.closed = true;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Schedules background work while there is some. */
  private pump(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      if (this.closed) return;
      try {
        if (this.work()) this.notify();
      } catch (error) {
        // The file could not be read further (a disk error, a file cut short under us, a NUL
        // byte): what was read stays browsable, and the UI says why the rest is not there.
        this.failure =
          error instanceof BinaryInput
            ? `${this.index.file} is not a recording: ${error.message} (the rows before it are shown)`
            : `cannot read ${this.index.file} further: ${describeFsError(error as NodeJS.ErrnoException)}`;
        this.closed = true;
        this.notify();
        return;
      }
      if (this.busy()) this.pump();
    });
  }

  private busy(): boolean {
    if (!this.index.indexed) return true;
    if (this.active && !this.active.complete) return true;
    return this.base instanceof FilterView && !this.base.complete;
  }

  /** One slice: the active search first, then indexing, then the base view's search. */
  private work(): boolean {
    const deadline = now() + this.sliceMs;
    let changed = false;
    // At least one step (a batch of lines, or a chunk of the index), then as many as fit.
    do {
      const step = this.step(deadline);
      if (step === null) break;
      changed ||= step;
    } while (now() < deadline);
    return changed;
  }

  /** One step of the work: true when it changed what is shown, null when there is none left. */
  private step(deadline: number): boolean | null {
    const base = this.base instanceof FilterView ? this.base : null;
    const view = this.active?.searchable ? this.active : base?.searchable ? base : null;
    if (view) return view.search(deadline);
    if (this.index.indexed) return null;
    this.index.indexMore();
    return true;
  }
}

/** Every line of the recording and the rows appended (no filter, no `--where`). */
class AllView implements FilteredView {
  readonly entries: readonly Exchange[];

  constructor(private readonly source: RecordingSource) {
    const { index } = source;
    this.entries = lazyList(
      () => index.length + (index.indexed ? source.extra.length : 0),
      (i) => (i < index.length ? index.exchange(i) : (source.extra[i - index.length] as Exchange)),
    );
  }

  /** Recorded rows (not the ones sent from the UI). */
  get recorded(): number {
    return this.source.index.length;
  }

  indexOfSeq(seq: number): number {
    const { index, extra } = this.source;
    const at = index.indexOfLine(seq);
    if (at !== -1 || !index.indexed) return at;
    const sent = extra.findIndex((ex) => ex.seq === seq);
    return sent === -1 ? -1 : index.length + sent;
  }

  get progress(): number | null {
    return this.source.loading;
  }
}

/** The lines a filter shows, found by a search in the background: their positions only. */
class FilterView implements FilteredView {
  private found = new Uint32Array(256);
  private count = 0;
  /** Lines of the index looked at. */
  private scanned = 0;
  private readonly matcher: LineMatcher;
  /** The bytes of the lines being searched (reused: a search keeps no line). */
  private readonly buffer = Buffer.allocUnsafe(BLOCK);
  /** A search text (the title) or --where looks into the body; event type and verdict do not. */
  private readonly needsBody: boolean;
  readonly entries: readonly Exchange[];

  constructor(
    private readonly source: RecordingSource,
    private readonly filter: ExchangeFilter,
    private readonly keep: ((exchange: Exchange) => boolean) | undefined,
    private readonly keepLine: ((line: Buffer) => boolean) | undefined,
  ) {
    const { index } = source;
    this.matcher = new LineMatcher(filter);
    this.needsBody = filterReadsBody(filter) || keep !== undefined;
    this.entries = lazyList(
      () => this.count + (this.complete ? this.extra().length : 0),
      (i) =>
        i < this.count
          ? index.exchange(this.found[i] as number)
          : (this.extra()[i - this.count] as Exchange),
    );
  }

  /** Every line is indexed and looked at. */
  get complete(): boolean {
    return this.source.index.indexed && this.scanned === this.source.index.length;
  }

  /** There are indexed lines not yet looked at. */
  get searchable(): boolean {
    return this.scanned < this.source.index.length;
  }

  get progress(): number | null {
    if (this.complete) return null;
    const { index } = this.source;
    return index.size === 0 ? 0 : index.offsetOf(this.scanned) / index.size;
  }

  private shows(ex: Exchange): boolean {
    return matches(ex, this.filter) && (this.keep === undefined || this.keep(ex));
  }

  /** The appended rows this filter shows (a few, sent by hand). */
  private extra(): Exchange[] {
    return this.source.extra.filter((ex) => this.shows(ex));
  }

  /** Recorded rows found (not the ones sent from the UI). */
  get recorded(): number {
    return this.count;
  }

  indexOfSeq(seq: number): number {
    const { index } = this.source;
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = index.lineNumber(this.found[mid] as number);
      if (at === seq) return mid;
      if (at < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    if (!this.complete) return -1;
    const extra = this.extra().findIndex((ex) => ex.seq === seq);
    return extra === -1 ? -1 : this.count + extra;
  }

  /** Looks at more lines until the deadline; true when it found some. */
  search(deadline: number): boolean {
    const { index } = this.source;
    const before = this.count;
    do {
      const from = this.scanned;
      const lines = index.lines(from, Math.min(index.length, from + BATCH), this.buffer);
      for (const i of this.matcher.candidates(lines, (i) => index.lineNumber(from + i))) {
        if (this.showsLine(lineOf(lines, i), index.lineNumber(from + i))) this.add(from + i);
      }
      this.scanned = from + lines.count;
    } while (this.scanned < index.length && now() < deadline);
    return this.count > before || this.complete;
  }

  /** Whether a candidate line shows: its event type and verdict read from its fields when they
   * are all the filter asks, else the exchange made and filtered. */
  private showsLine(line: Buffer, lineNumber: number): boolean {
    if (this.keepLine && !this.keepLine(line)) return false;
    const quick = this.needsBody ? null : headMatches(line, this.filter);
    return quick ?? this.shows(exchangeFromLine(line, lineNumber));
  }

  private add(line: number): void {
    if (this.count === this.found.length) {
      const grown = new Uint32Array(this.found.length * 2);
      grown.set(this.found);
      this.found = grown;
    }
    this.found[this.count++] = line;
  }
}
