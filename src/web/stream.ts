import type { IncomingMessage, ServerResponse } from "node:http";
import type { Exchange } from "../core/exchanges/exchange.js";
import { type ExchangeFilter, matches } from "../core/exchanges/exchange-query.js";
import { filterOf, type InspectorApi } from "./api.js";
import { pageRow } from "./rows.js";

/*
 * Each open page's event stream (server-sent events). New rows are gathered for a moment and
 * sent to each page as one event: how many its filter shows, the newest of them whole (a page
 * fetches any other it scrolls to), and the newest row's number as the event's id. A page that reconnects sends Last-Event-ID (or opens with `?after=SEQ`, the
 * newest row of the list it fetched) and gets what it missed first: no row lost or doubled.
 * A source that filters itself (a recording) sends `change` instead, and the page fetches again.
 * A page that does not read (a hidden or slow tab) never makes the listener hold more than its
 * queue limit: it is told to `resync` and let go, and fetches its list again when it reads.
 */

const QUEUE_LIMIT = 1024 * 1024;
const DELAY_MS = 250;
/** Rows of a batch sent whole: the newest, a screenful and more. */
const TAIL = 100;

interface PageStream {
  res: ServerResponse;
  filter: ExchangeFilter;
  /** The newest row this page has been sent (or had, when it opened). */
  last: number;
}

export class EventStreams {
  private readonly open_ = new Set<PageStream>();
  private timer: NodeJS.Timeout | null = null;
  private lastSent = 0;
  private unsubscribe: (() => void) | null = null;
  private readonly queueLimit: number;
  private readonly delayMs: number;

  constructor(
    private readonly api: InspectorApi,
    options: { queueLimit?: number | undefined; delayMs?: number | undefined },
  ) {
    this.queueLimit = options.queueLimit ?? QUEUE_LIMIT;
    this.delayMs = options.delayMs ?? DELAY_MS;
  }

  open(req: IncomingMessage, res: ServerResponse, url: URL, headers: Record<string, string>): void {
    let filter: ExchangeFilter;
    try {
      filter = filterOf(url.searchParams);
    } catch (error) {
      res.writeHead(400, headers).end((error as Error).message);
      return;
    }
    res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      connection: "keep-alive",
    });
    // Each event leaves at once (no waiting to fill a packet).
    res.socket?.setNoDelay(true);
    const given = Number(
      req.headers["last-event-id"] ?? url.searchParams.get("after") ?? Number.NaN,
    );
    const page: PageStream = {
      res,
      filter,
      last: Number.isInteger(given) ? given : newest(this.api),
    };
    res.write(": connected\n\n");
    this.open_.add(page);
    res.on("close", () => {
      this.open_.delete(page);
      if (this.open_.size === 0) this.stop();
    });
    this.unsubscribe ??= this.api.feed.source.subscribe(() => this.schedule());
    this.send(page);
  }

  /**
   * Sends what is new to every page: at once when nothing was sent for `delayMs` (a single
   * request shows as it lands), else at most every `delayMs` (under load a page gets a few
   * batches a second, which keeps the browser from taking the listener's CPU).
   */
  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastSent + this.delayMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastSent = performance.now();
      for (const page of this.open_) this.send(page);
    }, wait);
  }

  /** What the page has not had yet, as one event (or `change`, for a recording). */
  private send(page: PageStream): void {
    const { res } = page;
    if (res.writableEnded) return;
    const source = this.api.feed.source;
    if (source.view) {
      const view = this.api.view(page.filter);
      const data = {
        total: view.entries.length,
        progress: view.progress,
        loading: source.loading ?? null,
      };
      this.write(page, `event: change\ndata: ${JSON.stringify(data)}\n\n`);
      return;
    }
    const entries = source.entries;
    let from = entries.length;
    while (from > 0 && (entries[from - 1] as Exchange).seq > page.last) from--;
    if (from === entries.length) return;
    const shown: Exchange[] = [];
    for (let i = from; i < entries.length; i++) {
      const ex = entries[i] as Exchange;
      if (matches(ex, page.filter)) shown.push(ex);
    }
    page.last = (entries[entries.length - 1] as Exchange).seq;
    // Without rows for this page, the id alone moves its place (no event is dispatched).
    if (shown.length === 0) {
      this.write(page, `id: ${page.last}\n\n`);
      return;
    }
    // All are counted; the newest are sent whole (what a page following the list shows). The
    // page fetches any other when it scrolls to it.
    const rows = shown.slice(-TAIL).map((ex) => JSON.stringify(pageRow(ex)));
    // The list's length as the page's filter has it, and the oldest row kept: the log lets go of
    // its oldest rows, and a page whose rows moved up fetches them again.
    const total = this.api.view(page.filter).entries.length;
    const first = (entries[0] as Exchange).seq;
    const data = `{"count":${shown.length},"total":${total},"first":${first},"rows":[${rows.join(",")}]}`;
    this.write(page, `id: ${page.last}\ndata: ${data}\n\n`);
  }

  private write(page: PageStream, text: string): void {
    if (page.res.writableLength + text.length > this.queueLimit) this.resync(page);
    else page.res.write(text);
  }

  /** Lets go of a page that does not keep up: it fetches its list again when it reads this. */
  private resync(page: PageStream): void {
    this.open_.delete(page);
    // The socket goes too (the response lets go of it once ended): nothing more is queued for it.
    const socket = page.res.socket;
    page.res.end("event: resync\ndata: {}\n\n", () => socket?.destroy());
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Each page is told the run has ended (so it stops reconnecting), then let go. */
  close(): void {
    for (const page of this.open_) page.res.end("event: bye\ndata: {}\n\n");
    this.open_.clear();
    this.stop();
  }
}

function newest(api: InspectorApi): number {
  const entries = api.feed.source.entries;
  return entries.length === 0 ? 0 : (entries[entries.length - 1] as Exchange).seq;
}
