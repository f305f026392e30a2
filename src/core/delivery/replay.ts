import { keepRecord, type RecordedEvent, type RecordFilter } from "../receiving/recording.js";
import type { PlannedRequest } from "./requests.js";
import type { DeliverOptions } from "./send.js";

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
}

/** How many records a replay read, and how many of them passed the filters. */
export interface ReplayTally {
  read: number;
  matched: number;
}

/**
 * The requests of a replay, streamed from the source, filtered and timed. `tally` is counted as
 * records are pulled (counted here rather than by generators around this one: one fewer promise
 * per record each).
 */
export async function* replayPlan(
  records: AsyncIterable<RecordedEvent>,
  options: ReplayOptions,
  tally: ReplayTally = { read: 0, matched: 0 },
): AsyncGenerator<PlannedRequest> {
  let index = 0;
  let first: number | null = null;
  for await (const r of records) {
    tally.read++;
    if (!keepRecord(r, options)) continue;
    tally.matched++;
    const planned: PlannedRequest = { eventType: r.eventType, eventId: r.eventId, body: r.body };
    if (options.keepSignature) planned.signature = r.signature ?? "";
    if (options.timing === "original" && r.receivedAt !== null) {
      first ??= r.receivedAt;
      planned.dueMs = (r.receivedAt - first) / (options.speed ?? 1);
    } else if (options.delayMs) {
      planned.dueMs = index * options.delayMs;
    } else if (options.rate) {
      planned.dueMs = (index * 1000) / options.rate;
    }
    index++;
    yield planned;
  }
}
