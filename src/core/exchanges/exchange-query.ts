import { bodyMatchesWhere, type WhereClause } from "../events/where.js";
import type { Exchange } from "./exchange.js";

/*
 * Which exchanges a view shows: by event type, by verdict, by a search text, and (the web page's
 * filters) by `--where` clauses and the class of the status answered. Pure functions
 * over the request log's entries, shared by the live UI and anything else that lists exchanges.
 */

export type VerdictFilter = "all" | "invalid" | "rejected" | "forward failed";

export const VERDICT_FILTERS: readonly VerdictFilter[] = [
  "all",
  "invalid",
  "rejected",
  "forward failed",
];

export interface ExchangeFilter {
  /** Only this event type; null for all. */
  eventType: string | null;
  verdict: VerdictFilter;
  /** Search text (event type, title, ids, body text); empty for none. */
  query: string;
  /** `--where PATH=VALUE` clauses the event must all hold; none when absent. */
  where?: readonly WhereClause[];
  /** Only the requests answered with a status of this class; null or absent for all. */
  status?: StatusClass | null;
}

/** Classes of the status a request was answered with (`none`: it went unanswered). */
export type StatusClass = "2xx" | "3xx" | "4xx" | "5xx" | "none";

export const STATUS_CLASSES: readonly StatusClass[] = ["2xx", "3xx", "4xx", "5xx", "none"];

export function statusClassOf(status: number | null): StatusClass {
  if (status === null) return "none";
  return `${Math.min(5, Math.max(2, Math.floor(status / 100)))}xx` as StatusClass;
}

export const NO_FILTER: ExchangeFilter = { eventType: null, verdict: "all", query: "" };

/** The forward target did not answer, or answered with an error status. */
export function forwardFailed(ex: Exchange): boolean {
  return ex.forward !== null && (ex.forward.status === null || ex.forward.status >= 400);
}

export function matchesVerdict(ex: Exchange, verdict: VerdictFilter): boolean {
  switch (verdict) {
    case "all":
      return true;
    case "invalid":
      return ex.verdict.validation !== null && !ex.verdict.validation.valid;
    case "rejected":
      return ex.verdict.rejected || ex.aborted;
    case "forward failed":
      return forwardFailed(ex);
  }
}

/**
 * True when the search text is in the event type, title, event id or sequence number (ignoring
 * case), or in the body's bytes (as typed, or lower-cased).
 */
export function matchesQuery(ex: Exchange, query: string): boolean {
  if (query === "") return true;
  const q = query.toLowerCase();
  const v = ex.verdict;
  for (const field of [v.eventType, v.title, v.eventId, `#${ex.seq}`]) {
    if (field?.toLowerCase().includes(q)) return true;
  }
  const body = ex.request.body;
  return body.includes(query) || (q !== query && body.includes(q));
}

export function matches(ex: Exchange, filter: ExchangeFilter): boolean {
  return (
    (filter.eventType === null || ex.verdict.eventType === filter.eventType) &&
    matchesVerdict(ex, filter.verdict) &&
    matchesQuery(ex, filter.query) &&
    (!filter.status || statusClassOf(ex.status) === filter.status) &&
    (!filter.where?.length || bodyMatchesWhere(ex.request.body, filter.where))
  );
}

/** Whether the filter asks for anything beyond the event type and verdict fields of a row. */
export function filterReadsBody(filter: ExchangeFilter): boolean {
  return filter.query !== "" || (filter.where?.length ?? 0) > 0 || !!filter.status;
}

/** The filter shows everything. */
export function filtersNothing(filter: ExchangeFilter): boolean {
  return filter.eventType === null && filter.verdict === "all" && !filterReadsBody(filter);
}

/** The exchanges that pass the filter, in order (the same array when nothing is filtered). */
export function filterExchanges(
  entries: readonly Exchange[],
  filter: ExchangeFilter,
): readonly Exchange[] {
  if (filtersNothing(filter)) return entries;
  return entries.filter((ex) => matches(ex, filter));
}

/** A filter's identity, for views kept per filter. */
export function filterKey(filter: ExchangeFilter): string {
  return JSON.stringify([
    filter.eventType,
    filter.verdict,
    filter.query,
    filter.status ?? null,
    (filter.where ?? []).map((w) => w.text),
  ]);
}

/**
 * The exchanges a filter shows, as a list. A source that filters itself (a recording on disk)
 * fills it in the background: `scanned` of `total` looked at so far.
 */
export interface FilteredView {
  readonly entries: readonly Exchange[];
  /** Position in `entries` of the exchange numbered `seq`, or -1. */
  indexOfSeq(seq: number): number;
  /** How far the search has come (0 to 1): null when complete. */
  readonly progress: number | null;
}
