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

/** The requests of a replay, streamed from the source, filtered and timed. */
export async function* replayPlan(
  records: AsyncIterable<RecordedEvent>,
  options: ReplayOptions,
): AsyncGenerator<PlannedRequest> {
  let index = 0;
  let first: number | null = null;
  for await (const r of records) {
    if (!keepRecord(r, options)) continue;
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
