import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type {
  CreateHttpSender,
  HttpResponse,
  HttpSenderOptions,
} from "../../src/core/delivery/http-client.js";
import type { PlannedRequest } from "../../src/core/delivery/requests.js";
import { type DeliverOptions, deliverPlanned } from "../../src/core/delivery/send.js";
import { VirtualClock } from "../helpers/clock.js";

/** One attempt as the fake sender saw it, with the clock's time then. */
interface Attempt {
  path: string;
  headers: Record<string, string>;
  body: string;
  atMs: number;
}

type Step = HttpResponse | Error;
const answer = (status: number, headers: HttpResponse["headers"] = {}, body = ""): Step => ({
  status,
  headers,
  body,
});
const refused = (): Step =>
  Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

/** An HttpSender that answers from a script, one step per attempt (the last one repeats). */
function scripted(clock: VirtualClock, script: Step[]) {
  const attempts: Attempt[] = [];
  const opened: HttpSenderOptions[] = [];
  let closed = 0;
  const createSender: CreateHttpSender = (options) => {
    opened.push(options);
    return {
      async post(path, headers, body) {
        attempts.push({ path, headers, body: body.toString(), atMs: clock.now() });
        const step = script[Math.min(attempts.length - 1, script.length - 1)] as Step;
        if (step instanceof Error) throw step;
        return step;
      },
      async close() {
        closed++;
      },
    };
  };
  return { createSender, attempts, opened, closed: () => closed };
}

const BODY = JSON.stringify({ event_id: "whev_aaaaaaaaaaaaaaaaa", event_type: "x" });
const planned: PlannedRequest = {
  eventType: "whitelabel-ticket-created",
  eventId: "whev_aaaaaaaaaaaaaaaaa",
  body: BODY,
};

async function run(script: Step[], options: Partial<DeliverOptions> = {}) {
  const clock = new VirtualClock(1_700_000_000_000);
  const sender = scripted(clock, script);
  const { results, summary } = await deliverPlanned(
    [planned].values(),
    { to: "http://receiver.test:3000/hooks?x=1", secret: "s3cret", ...options },
    { createSender: sender.createSender, clock },
  );
  return { clock, sender, result: results[0], summary };
}

const hmac = (t: number, body: string) =>
  createHmac("sha256", "s3cret").update(`${t}.${body}`).digest("hex");

describe("deliverPlanned: the retry loop", () => {
  it("one attempt on a 2xx: no sleep, POST to the path with the query", async () => {
    const { clock, sender, result } = await run([answer(204)]);
    expect(result).toMatchObject({ status: 204, ok: true, attempts: 1, error: null });
    expect(clock.sleeps).toEqual([]);
    expect(sender.attempts.map((a) => a.path)).toEqual(["/hooks?x=1"]);
    expect(sender.opened[0]).toMatchObject({
      origin: "http://receiver.test:3000",
      timeoutMs: 10_000,
    });
    expect(sender.closed()).toBe(1);
  });

  it("retries 5xx with back-off doubling from --backoff, then succeeds", async () => {
    const { clock, sender, result } = await run(
      [answer(500), answer(502), answer(503), answer(200)],
      {
        retries: 5,
        backoffMs: 100,
      },
    );
    expect(result).toMatchObject({ status: 200, ok: true, attempts: 4 });
    expect(clock.sleeps).toEqual([100, 200, 400]);
    expect(sender.attempts).toHaveLength(4);
  });

  it("caps the back-off at --max-backoff", async () => {
    const { clock } = await run([answer(503)], { retries: 6, backoffMs: 1000, maxBackoffMs: 5000 });
    expect(clock.sleeps).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it("gives up after --retries with the last status and the start of the body", async () => {
    const { sender, result, summary } = await run([answer(500, {}, "database\n  is down")], {
      retries: 2,
      backoffMs: 0,
    });
    expect(sender.attempts).toHaveLength(3);
    expect(result).toMatchObject({
      ok: false,
      status: 500,
      attempts: 3,
      error: "HTTP 500: database is down",
    });
    expect(summary).toMatchObject({ sent: 1, ok: 0, non_2xx: 1 });
  });

  it("retries network errors, and names the cause when it gives up", async () => {
    const { clock, result } = await run([refused()], { retries: 2, backoffMs: 10 });
    expect(clock.sleeps).toEqual([10, 20]);
    expect(result).toMatchObject({
      ok: false,
      status: null,
      attempts: 3,
      error: "nothing listening at receiver.test:3000 (connection refused)",
    });
  });

  it.each([400, 401, 404, 409, 422])("does not retry a %i", async (status) => {
    const { clock, sender, result } = await run([answer(status), answer(200)], { retries: 3 });
    expect(sender.attempts).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(result).toMatchObject({ ok: false, status, attempts: 1 });
  });

  it("retries a 429", async () => {
    const { sender } = await run([answer(429), answer(200)], { retries: 1, backoffMs: 0 });
    expect(sender.attempts).toHaveLength(2);
  });

  it("waits what Retry-After says, in seconds, instead of the back-off", async () => {
    const { clock } = await run([answer(503, { "retry-after": "3" }), answer(200)], {
      retries: 1,
      backoffMs: 100,
    });
    expect(clock.sleeps).toEqual([3000]);
  });

  it("waits until a Retry-After date, on the injected clock", async () => {
    const at = new Date(1_700_000_000_000 + 7000).toUTCString();
    const { clock } = await run([answer(429, { "retry-after": at }), answer(200)], {
      retries: 1,
      backoffMs: 100,
    });
    expect(clock.sleeps).toEqual([7000]);
  });

  it("caps Retry-After at --max-backoff; an unreadable one falls back to the back-off", async () => {
    const capped = await run([answer(503, { "retry-after": "3600" }), answer(200)], {
      retries: 1,
      maxBackoffMs: 2000,
    });
    expect(capped.clock.sleeps).toEqual([2000]);
    const garbage = await run([answer(503, { "retry-after": "soon" }), answer(200)], {
      retries: 1,
      backoffMs: 250,
    });
    expect(garbage.clock.sleeps).toEqual([250]);
  });

  it("sends the same event_id and body at every attempt, re-signed at its own time", async () => {
    const { sender } = await run([answer(503), answer(503), answer(200)], {
      retries: 2,
      backoffMs: 1500,
    });
    expect(new Set(sender.attempts.map((a) => a.body))).toEqual(new Set([BODY]));
    const stamps = sender.attempts.map((a) => {
      const [, t, s] = /^t=(\d+),s=([0-9a-f]{64})$/.exec(a.headers["X-Signature"] ?? "") ?? [];
      expect(s).toBe(hmac(Number(t), a.body));
      return Number(t);
    });
    // 0 s, then 1.5 s and 3 s (4.5 s) later, on the virtual clock.
    expect(stamps).toEqual([1_700_000_000, 1_700_000_001, 1_700_000_004]);
    expect(sender.attempts.map((a) => Math.floor(a.atMs / 1000))).toEqual(stamps);
  });

  it("a request carrying a signature keeps it at every attempt", async () => {
    const clock = new VirtualClock();
    const sender = scripted(clock, [answer(503), answer(200)]);
    await deliverPlanned(
      [{ ...planned, signature: "t=1,s=abc" }].values(),
      { to: "http://x.test/", secret: "s3cret", retries: 1, backoffMs: 0 },
      { createSender: sender.createSender, clock },
    );
    expect(sender.attempts.map((a) => a.headers["X-Signature"])).toEqual([
      "t=1,s=abc",
      "t=1,s=abc",
    ]);
  });

  it("an abort (Ctrl-C) stops the retries after the attempt in flight", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const sender = scripted(clock, [answer(503)]);
    const { results } = await deliverPlanned(
      [planned, planned].values(),
      { to: "http://x.test/", retries: 10, backoffMs: 10 },
      {
        createSender: (options) => {
          const inner = sender.createSender(options) as Awaited<ReturnType<CreateHttpSender>>;
          return {
            post: (...args) => {
              controller.abort();
              return inner.post(...args);
            },
            close: () => inner.close(),
          };
        },
        clock,
        signal: controller.signal,
      },
    );
    expect(sender.attempts).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ ok: false, status: 503, attempts: 1 });
  });

  it("paces requests by their dueMs on the clock", async () => {
    const clock = new VirtualClock();
    const sender = scripted(clock, [answer(200)]);
    const requests = [0, 100, 250].map((dueMs) => ({ ...planned, dueMs }));
    await deliverPlanned(
      requests.values(),
      { to: "http://x.test/" },
      {
        createSender: sender.createSender,
        clock,
      },
    );
    expect(clock.sleeps).toEqual([100, 150]);
    expect(sender.attempts.map((a) => a.atMs - 1_700_000_000_000)).toEqual([0, 100, 250]);
  });
});
