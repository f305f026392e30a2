import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import { receive } from "../../src/core/receiving/receive.js";
import { LineBatch } from "../../src/core/recording/line-batch.js";
import { exchangeLine } from "../../src/core/recording/line-encoder.js";
import { plainRecordedLine } from "../helpers/plain-recorded-line.js";

// Header values as node:http gives them: latin1 text, so code units up to 0xff.
const headerValue = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)) }),
);
const body = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.json().map((s) => Buffer.from(s)),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v, null, 2))),
);
const exchange = fc
  .record({
    url: fc.string().map((s) => `/${s}`),
    headers: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), headerValue),
    body,
    filtered: fc.boolean(),
    seq: fc.nat(),
    ms: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    status: fc.option(fc.constantFrom(200, 202, 500), { nil: undefined }),
    aborted: fc.boolean(),
    forward: fc.option(
      fc.record({
        status: fc.option(fc.constantFrom(200, 503)),
        duration_ms: fc.nat(),
        error: fc.option(fc.string()),
        headers: fc.constant({ "content-type": "text/plain" }),
        body: fc.string({ maxLength: 100 }),
        body_bytes: fc.nat(),
        body_truncated: fc.boolean(),
      }),
    ),
  })
  .map(({ url, headers, body, filtered, seq, ms, status, aborted, forward }): Exchange => {
    const request = {
      method: "POST",
      url,
      headers: { ...headers, "content-type": "application/json" },
      body,
    };
    const verdict = { ...receive(request, { path: url.split("?")[0] ?? "/" }), filtered };
    return {
      seq,
      receivedAt: new Date(ms),
      request,
      verdict,
      status: status ?? verdict.status,
      forward,
      aborted,
    };
  });

describe("NDJSON lines of exchanges", () => {
  it("a batch holds exactly the lines, and every line gives back the exact body", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(exchange, { maxLength: 8 }), { minLength: 1, maxLength: 3 }),
        fc.nat(4096),
        fc.boolean(),
        (turns, size, keep) => {
          // A small first buffer makes the batch grow in the middle of a line.
          const batch = new LineBatch(size + 1);
          // Bytes a consumer keeps must stay as they were while later lines are added.
          const kept: { bytes: Buffer; copy: string }[] = [];
          for (const exchanges of turns) {
            for (const ex of exchanges) batch.add(ex, !ex.verdict.filtered);
            let calls = 0;
            batch.drain((all, shown) => {
              calls++;
              const lines = exchanges.map(exchangeLine);
              expect(all.toString("utf8")).toBe(lines.map((l) => `${l}\n`).join(""));
              const visible = exchanges.flatMap((ex, i) =>
                ex.verdict.filtered ? [] : [`${lines[i]}\n`],
              );
              expect(shown.toString("utf8")).toBe(visible.join(""));
              if (keep) kept.push({ bytes: all, copy: all.toString("latin1") });
              return !keep;
            });
            expect(calls).toBe(exchanges.length === 0 ? 0 : 1);
            for (const [i, line] of exchanges.map(exchangeLine).entries()) {
              const record = JSON.parse(line);
              const ex = exchanges[i] as Exchange;
              const bytes = (plainRecordedLine(line) as { body: Buffer }).body;
              if (!(Buffer.isBuffer(bytes) && bytes.equals(ex.request.body))) {
                expect(bytes).toEqual(ex.request.body);
              }
              const expected = {
                type: "request",
                seq: ex.seq,
                received_at: ex.receivedAt.toISOString(),
                method: ex.request.method,
                path: ex.request.url,
                headers: ex.request.headers,
                event_type: ex.verdict.eventType,
                event_id: ex.verdict.eventId,
                signature: ex.verdict.signature,
                validation: ex.verdict.validation && {
                  valid: ex.verdict.validation.valid,
                  errors: JSON.parse(JSON.stringify(ex.verdict.validation.errors)),
                  warnings: JSON.parse(JSON.stringify(ex.verdict.validation.warnings)),
                },
                status: ex.status,
                rejected: ex.verdict.rejected,
                error: ex.verdict.error,
                filtered: ex.verdict.filtered,
                aborted: ex.aborted,
                forward: ex.forward,
              };
              const actual = Object.fromEntries(Object.keys(expected).map((k) => [k, record[k]]));
              // A plain deep comparison first (300 runs of vitest's matchers take seconds); the
              // matcher only to describe a difference.
              if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);
            }
          }
          for (const { bytes, copy } of kept) expect(bytes.toString("latin1")).toBe(copy);
          batch.drain(() => {
            throw new Error("an empty batch hands nothing over");
          });
        },
      ),
      { numRuns: 300 },
    );
    // 300 random batches: a couple of seconds alone, much more on a loaded CI machine.
  }, 60_000);

  it("embeds a compact JSON body as is, anything else as a string", () => {
    const ex = (raw: string): Exchange => {
      const request = {
        method: "POST",
        url: "/",
        headers: { "content-type": "application/json", "x-note": "café" },
        body: Buffer.from(raw),
      };
      const verdict = receive(request, {});
      return {
        seq: 1,
        receivedAt: new Date(0),
        request,
        verdict,
        status: 200,
        forward: null,
        aborted: false,
      };
    };
    const compact = JSON.parse(exchangeLine(ex('{"a":"é"}')));
    expect(compact).toMatchObject({ body_encoding: "json", body: { a: "é" } });
    const pretty = JSON.parse(exchangeLine(ex('{\n  "a": 1\n}')));
    expect(pretty).toMatchObject({ body_encoding: "utf8", body: '{\n  "a": 1\n}' });
  });
});

describe("a batch's memory", () => {
  function plain(body: string): Exchange {
    const request = {
      method: "POST",
      url: "/",
      headers: { "content-type": "application/json" },
      body: Buffer.from(body),
    };
    const verdict = receive(request, { path: "/" });
    return {
      seq: 1,
      receivedAt: new Date(0),
      request,
      verdict,
      status: verdict.status,
      forward: null,
      aborted: false,
    };
  }

  it("after a large turn was handed over, small turns take fresh memory of their own size", () => {
    const batch = new LineBatch();
    const sizes: number[] = [];
    const turn = (body: string) => {
      batch.add(plain(body));
      // The consumer keeps the bytes (a stream's queue): the batch must take fresh memory.
      batch.drain((all) => {
        sizes.push(all.buffer.byteLength);
        return false;
      });
    };
    turn(JSON.stringify({ text: "x".repeat(300_000) }));
    turn("{}");
    turn("{}");
    expect(sizes[0]).toBeGreaterThan(300_000);
    expect(sizes[2]).toBe(64 * 1024);
  });
});
