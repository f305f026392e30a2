import { TicketHooksError, usageError } from "../core/errors.js";
import { EVENT_TYPES } from "../core/events/catalogue.js";
import { parseWhere } from "../core/events/where.js";
import type { ExchangeActions } from "../core/exchanges/actions.js";
import { editableText, editedBytes } from "../core/exchanges/edited.js";
import type { Exchange } from "../core/exchanges/exchange.js";
import { exchangeFile, exchangesHar } from "../core/exchanges/exchange-export.js";
import {
  type ExchangeFilter,
  type FilteredView,
  filterExchanges,
  filterKey,
  filtersNothing,
  STATUS_CLASSES,
  type StatusClass,
  VERDICT_FILTERS,
  type VerdictFilter,
} from "../core/exchanges/exchange-query.js";
import { type ExchangeSource, findBySeq } from "../core/exchanges/request-log.js";
import { MAX_JSON_DEPTH, nestedDeeperThan, tryParseJson } from "../core/json.js";
import { diffJson } from "../core/json-diff.js";
import { jsonErrorOffset, lineColumn } from "../core/json-error.js";
import { explainSignature } from "../core/signing/explain.js";
import { validateEvent } from "../core/validation/validate.js";
import { pageDetails, pageRow } from "./rows.js";

/*
 * What the page asks of the inspector, answered from the same source and actions the terminal UI
 * uses: windows of the filtered list, a request's details, its curl command and files, the diff
 * of two, an edit's validation, and replays and edits sent to the target the command was started
 * with. Every answer is plain data, outside text as it came: the page shows it as text only, through
 * its one `visible()` (control and bidi characters made visible).
 */

/** What the inspector serves: the requests, what can be done with them, and whose they are. */
export interface InspectorFeed {
  source: ExchangeSource;
  actions: ExchangeActions;
  /** `listen` (live) or `inspect` (a recording). */
  kind: "listen" | "inspect";
  /** The listener's URL, or the recording's file name. */
  title: string;
  /** The secret, masked, or null without one. */
  secret: string | null;
  /**
   * The secret signatures are checked with (never sent to the page): a signature that fails is
   * tried against the classic signing mistakes with it, to say which one the sender made.
   */
  checkSecret?: string | undefined;
  /** Where replays and edits go for this request (null: nowhere). */
  sendsTo(exchange: Exchange): string | null;
}

export interface Reply {
  status: number;
  body: string;
  type?: string;
  headers?: Record<string, string>;
}

const json = (value: unknown, status = 200): Reply => ({
  status,
  body: JSON.stringify(value),
  type: "application/json",
});

/** An error the page shows as it is: `{ "error": message }`. */
export const problem = (status: number, message: string): Reply => json({ error: message }, status);

/** Rows one window may hold; a HAR of what is shown holds at most this many requests. */
const MAX_WINDOW = 500;
const MAX_HAR = 10_000;
const MAX_HAR_BYTES = 64 * 1024 * 1024;

/** The filter a page asks for, from its query string (`q`, `type`, `verdict`, `status`, `where`). */
export function filterOf(params: URLSearchParams): ExchangeFilter {
  const type = params.get("type") || null;
  const verdict = (params.get("verdict") || "all") as VerdictFilter;
  if (!VERDICT_FILTERS.includes(verdict)) {
    throw usageError("BAD_FILTER", `unknown verdict filter "${verdict}"`);
  }
  const status = (params.get("status") || null) as StatusClass | null;
  if (status !== null && !STATUS_CLASSES.includes(status)) {
    throw usageError("BAD_FILTER", `unknown status class "${status}"`);
  }
  const where = params
    .getAll("where")
    .filter((w) => w.trim() !== "")
    .map(parseWhere);
  return { eventType: type, verdict, query: params.get("q") ?? "", status, where };
}

/**
 * The views of the last few filters over a source that does not filter itself (the listener's
 * log): extended with the rows that came since, instead of filtered again from the start.
 */
class LiveViews {
  private readonly cache = new Map<
    string,
    { from: readonly Exchange[]; upTo: number; found: Exchange[] }
  >();

  constructor(private readonly source: ExchangeSource) {}

  view(filter: ExchangeFilter): FilteredView {
    if (this.source.view) return this.source.view(filter);
    const entries = this.source.entries;
    if (filtersNothing(filter)) return listView(entries);
    const key = filterKey(filter);
    let kept = this.cache.get(key);
    // The log trims itself by making a new array: then the view starts over.
    if (!kept || kept.from !== entries || kept.upTo > entries.length) {
      kept = { from: entries, upTo: 0, found: [] };
      this.cache.delete(key);
      if (this.cache.size >= 4) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, kept);
    }
    if (kept.upTo < entries.length) {
      kept.found.push(...filterExchanges(entries.slice(kept.upTo), filter));
      kept.upTo = entries.length;
    }
    return listView(kept.found);
  }
}

function listView(entries: readonly Exchange[]): FilteredView {
  return {
    entries,
    progress: null,
    indexOfSeq: (seq) => entries.findIndex((e) => e.seq === seq),
  };
}

export class InspectorApi {
  private readonly views: LiveViews;

  constructor(readonly feed: InspectorFeed) {
    this.views = new LiveViews(feed.source);
  }

  view(filter: ExchangeFilter): FilteredView {
    return this.views.view(filter);
  }

  info(): Reply {
    const { feed } = this;
    return json({
      kind: feed.kind,
      title: feed.title,
      secret: feed.secret,
      cannot_send: feed.actions.cannotSend,
      event_types: EVENT_TYPES,
      verdicts: VERDICT_FILTERS,
      status_classes: STATUS_CLASSES,
    });
  }

  /**
   * A window of the filtered list: `start` and `count` (at most 500), or the last `count` rows
   * without `start`. With the list's length, how far a search has come, and the newest row's
   * number (the stream goes on after it).
   */
  rows(params: URLSearchParams): Reply {
    const filter = filterOf(params);
    const view = this.view(filter);
    const total = view.entries.length;
    const count = clamp(Number(params.get("count") ?? 100), 0, MAX_WINDOW);
    const start = params.has("start")
      ? clamp(Number(params.get("start")), 0, total)
      : Math.max(0, total - count);
    const rows: ReturnType<typeof pageRow>[] = [];
    for (let i = start; i < Math.min(total, start + count); i++) {
      rows.push(pageRow(view.entries[i] as Exchange));
    }
    const source = this.feed.source;
    return json({
      total,
      start,
      rows,
      progress: view.progress,
      loading: source.loading ?? null,
      newest_seq: newestSeq(source),
      first_seq: source.entries.length === 0 ? 0 : (source.entries[0] as Exchange).seq,
      empty_text: source.emptyText?.() ?? "",
      count_text: source.countText?.() ?? `${source.counters.received} request(s)`,
      failure: source.failure ? source.failure : null,
    });
  }

  private exchange(seq: number): Exchange {
    const ex = findBySeq(this.feed.source, seq);
    if (!ex)
      throw new TicketHooksError("NOT_FOUND", `no request #${seq} (it may have left the log)`);
    return ex;
  }

  details(seq: number): Reply {
    const ex = this.exchange(seq);
    return json({
      ...pageDetails(ex),
      body_editable: ex.summary ? null : editableText(ex),
      sends_to: this.feed.sendsTo(ex),
      signature_diagnosis: this.diagnosis(ex),
    });
  }

  /** The sender's signing mistake that explains a signature that did not verify, if one does. */
  private diagnosis(ex: Exchange) {
    const { signature } = ex.verdict;
    const secret = this.feed.checkSecret;
    if (!secret || signature.status !== "invalid" || !signature.header) return null;
    const value = ex.request.headers[signature.header.toLowerCase()];
    const header = Array.isArray(value) ? value[0] : value;
    if (header === undefined) return null;
    return explainSignature(
      secret,
      header,
      ex.request.body,
      Math.floor(ex.receivedAt.getTime() / 1000),
    );
  }

  curl(seq: number): Reply {
    const ex = this.exchange(seq);
    const { actions } = this.feed;
    return json({
      command: actions.curl(ex),
      signed: actions.curlSigned(ex),
      note: actions.curlNote,
    });
  }

  /** One request as a file to download: its event as a JSON template, or a HAR log. */
  download(seq: number, format: string): Reply {
    const ex = this.exchange(seq);
    if (format !== "json" && format !== "har") {
      throw usageError("BAD_FORMAT", `unknown format "${format}": json or har`);
    }
    const file = exchangeFile(ex, format, this.feed.actions.harTarget(ex));
    return attachment(`${file.base}${file.ext}`, file.text);
  }

  /**
   * What the filter shows, as one HAR log: the first 10,000 requests, or fewer when their bodies
   * pass 64 MiB (the headers say how many of how many).
   */
  downloadShown(params: URLSearchParams): Reply {
    const view = this.view(filterOf(params));
    const shown: Exchange[] = [];
    let bytes = 0;
    for (let i = 0; i < Math.min(view.entries.length, MAX_HAR) && bytes < MAX_HAR_BYTES; i++) {
      const ex = view.entries[i] as Exchange;
      bytes += ex.request.body.length;
      shown.push(ex);
    }
    const text = exchangesHar(shown, (ex) => this.feed.actions.harTarget(ex));
    const reply = attachment("ticket-hooks-requests.har", text);
    reply.headers = {
      ...reply.headers,
      "x-requests": String(shown.length),
      "x-shown": String(view.entries.length),
    };
    return reply;
  }

  /** Two requests side by side: headers by name, bodies by JSON path (or as text). */
  diff(a: number, b: number): Reply {
    const left = this.exchange(a);
    const right = this.exchange(b);
    return json({
      a: pageRow(left),
      b: pageRow(right),
      headers: headerDiff(left, right),
      body: bodyDiff(left.request.body, right.request.body),
    });
  }

  /** An edit as the page types it: where the JSON breaks, or what the schema and rules say. */
  validate(text: string): Reply {
    const parsed = tryParseJson(text);
    if (!parsed.ok) {
      const at = lineColumn(text, jsonErrorOffset(text));
      return json({
        valid: false,
        parse_error: { ...at, message: `not JSON at line ${at.line}, column ${at.column}` },
        errors: [],
        warnings: [],
      });
    }
    if (nestedDeeperThan(parsed.value, MAX_JSON_DEPTH)) {
      return json({
        valid: false,
        parse_error: { line: 1, column: 1, message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
        errors: [],
        warnings: [],
      });
    }
    const result = validateEvent(parsed.value);
    return json({
      valid: result.valid,
      parse_error: null,
      event_type: result.eventType ?? null,
      errors: result.errors.map((e) => ({ path: e.path, message: e.message })),
      warnings: result.warnings.map((w) => ({ path: w.path, message: w.message })),
    });
  }

  /** Sends the request again (re-signed) to the target: its new row, linked to it. */
  async replay(seq: number): Promise<Reply> {
    const ex = this.exchange(seq);
    if (ex.summary) {
      return problem(
        409,
        `#${seq}'s body was dropped from memory (the log keeps the newest): replay it from the recording`,
      );
    }
    return this.send(ex, ex.request.body);
  }

  /** Sends an edited body in place of the request's (re-signed): its new row. */
  async resend(seq: number, body: Buffer): Promise<Reply> {
    const ex = this.exchange(seq);
    return this.send(ex, editedBytes(ex, body.toString("utf8")));
  }

  private async send(ex: Exchange, body: Buffer): Promise<Reply> {
    const { actions } = this.feed;
    if (actions.cannotSend) return problem(409, actions.cannotSend);
    actions.checkSend();
    const sent = await actions.resend(ex, body);
    return json(pageRow(sent));
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, Math.trunc(n))) : lo;
}

function newestSeq(source: ExchangeSource): number {
  const entries = source.entries;
  return entries.length === 0 ? 0 : (entries[entries.length - 1] as Exchange).seq;
}

function attachment(name: string, text: string): Reply {
  const safe = name.replace(/[^\w.-]/g, "_");
  return {
    status: 200,
    body: text,
    type: name.endsWith(".har") ? "application/json" : "application/json",
    headers: { "content-disposition": `attachment; filename="${safe}"` },
  };
}

/** Each header name either request has, with its values on each side. */
function headerDiff(a: Exchange, b: Exchange) {
  const value = (ex: Exchange, name: string) => {
    const v = ex.request.headers[name];
    return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
  };
  const names = [
    ...new Set([...Object.keys(a.request.headers), ...Object.keys(b.request.headers)]),
  ];
  return names.map((name) => {
    const left = value(a, name);
    const right = value(b, name);
    return { name: name, a: left, b: right, same: left === right };
  });
}

/** Bodies compared by JSON path when both are JSON (not too deep), else as text. */
function bodyDiff(a: Buffer, b: Buffer) {
  const left = tryParseJson(a.toString("utf8"));
  const right = tryParseJson(b.toString("utf8"));
  const deep = (p: typeof left) => p.ok && nestedDeeperThan(p.value, MAX_JSON_DEPTH);
  if (left.ok && right.ok && !deep(left) && !deep(right)) {
    const { changes, truncated } = diffJson(left.value, right.value);
    return {
      mode: "json",
      same: changes.length === 0,
      truncated,
      changes: changes.map((c) => ({
        path: c.path,
        kind: c.kind,
        a: c.before === undefined ? null : c.before,
        b: c.after === undefined ? null : c.after,
      })),
    };
  }
  const cut = (buf: Buffer) => buf.subarray(0, 64 * 1024).toString("utf8");
  return { mode: "text", same: a.equals(b), a: cut(a), b: cut(b) };
}
