import { describe, expect, it } from "vitest";
import { ReplayPlan } from "../../src/core/delivery/replay.js";
import type { PlannedRequest } from "../../src/core/delivery/requests.js";
import type { RecordedEvent } from "../../src/core/recording/recording.js";

// The replay's plan answers from the batch in hand without a promise, and reads the next batch
// once for everyone waiting on it: 64 senders ask at once.

function record(n: number, extra: Partial<RecordedEvent> = {}): RecordedEvent {
  return {
    where: `rec:${n}`,
    receivedAt: 1_000 * n,
    body: Buffer.from(`{"n":${n}}`),
    eventType: "whitelabel-ticket-created",
    eventId: `whev_${n}`,
    valid: true,
    rejected: false,
    signature: `t=${n},s=x`,
    ...extra,
  };
}

/** Batches handed out one `release()` at a time, so a test sees who waits for what. */
function gatedBatches(batches: RecordedEvent[][], failAt = -1) {
  let gate: () => void = () => {};
  let reads = 0;
  const iterator: AsyncIterator<RecordedEvent[]> = {
    async next() {
      const at = reads++;
      await new Promise<void>((resolve) => {
        gate = resolve;
      });
      if (at === failAt) throw new Error("disk gone");
      const value = batches[at];
      return value === undefined ? { done: true, value: undefined } : { done: false, value };
    },
  };
  return {
    iterator,
    release: () => gate(),
    reads: () => reads,
  };
}

const ids = (steps: IteratorResult<PlannedRequest>[]) =>
  steps.map((s) => (s.done ? "done" : s.value.eventId));

describe("the replay plan", () => {
  it("reads one batch for every sender waiting, then answers from it at once", async () => {
    const source = gatedBatches([[record(1), record(2), record(3)], [record(4)]]);
    const plan = new ReplayPlan(source.iterator, { to: "http://x/", source: "rec" });
    const waiting = [plan.next(), plan.next()];
    expect(waiting.every((w) => w instanceof Promise)).toBe(true);
    expect(source.reads()).toBe(1);
    source.release();
    expect(ids(await Promise.all(waiting))).toEqual(["whev_1", "whev_2"]);
    const third = plan.next();
    expect(third).not.toBeInstanceOf(Promise);
    expect(ids([third as IteratorResult<PlannedRequest>])).toEqual(["whev_3"]);
    const fourth = plan.next();
    expect(fourth).toBeInstanceOf(Promise);
    source.release();
    expect(ids([await fourth])).toEqual(["whev_4"]);
    const end = plan.next();
    source.release();
    expect(ids([await end])).toEqual(["done"]);
    expect(plan.next()).toEqual({ done: true, value: undefined });
    expect(plan.tally).toEqual({ read: 4, matched: 4 });
    expect(source.reads()).toBe(3);
  });

  it("filters across batches and counts what it read and what matched", async () => {
    const batches = [
      [record(1, { rejected: true }), record(2, { eventType: "whitelabel-ticket-resolved" })],
      [],
      [record(3, { rejected: true })],
      [record(4), record(5, { eventType: "whitelabel-ticket-resolved" })],
    ];
    async function* all() {
      yield* batches;
    }
    const plan = new ReplayPlan(all(), {
      to: "http://x/",
      source: "rec",
      events: new Set(["whitelabel-ticket-resolved"]),
      keepSignature: true,
      timing: "original",
      speed: 2,
    });
    const got: PlannedRequest[] = [];
    for await (const planned of plan) got.push(planned);
    expect(got.map((p) => [p.eventId, p.signature, p.dueMs])).toEqual([
      ["whev_2", "t=2,s=x", 0],
      ["whev_5", "t=5,s=x", 1_500],
    ]);
    expect(plan.tally).toEqual({ read: 5, matched: 2, rejected: 2 });
  });

  it("a batch that cannot be read fails every sender waiting for it, then the plan ends", async () => {
    const source = gatedBatches([[record(1)]], 0);
    const plan = new ReplayPlan(source.iterator, { to: "http://x/", source: "rec" });
    const waiting = [plan.next(), plan.next(), plan.next()];
    source.release();
    const settled = await Promise.allSettled(waiting);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect(await plan.next()).toEqual({ done: true, value: undefined });
  });

  it("warns of a skipped line when it gets to it, not when its batch is read", async () => {
    const warnings: string[] = [];
    async function* one() {
      yield [record(1), { skipped: "rec:2: cut" }, record(3), { skipped: "rec:4: cut" }];
    }
    const plan = new ReplayPlan(one(), { to: "http://x/", source: "rec" }, undefined, (w) =>
      warnings.push(w),
    );
    expect(ids([await plan.next()])).toEqual(["whev_1"]);
    expect(warnings).toEqual([]);
    expect(ids([await plan.next()])).toEqual(["whev_3"]);
    expect(warnings).toEqual(["rec:2: cut"]);
    expect(ids([await plan.next()])).toEqual(["done"]);
    expect(warnings).toEqual(["rec:2: cut", "rec:4: cut"]);
    expect(plan.tally).toEqual({ read: 2, matched: 2 });
  });

  it("a consumer that stops early closes the source", async () => {
    let closed = false;
    async function* batches() {
      try {
        yield [record(1), record(2)];
        yield [record(3)];
      } finally {
        closed = true;
      }
    }
    const plan = new ReplayPlan(batches(), { to: "http://x/", source: "rec" });
    for await (const planned of plan) {
      expect(planned.eventId).toBe("whev_1");
      break;
    }
    expect(closed).toBe(true);
    expect(await plan.next()).toEqual({ done: true, value: undefined });
  });
});
