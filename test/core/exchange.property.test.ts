import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Exchange, exchangeLine, LineBatch, recordedBody } from "../../src/core/exchange.js";
import { receive } from "../../src/core/receive.js";

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
  })
  .map(({ url, headers, body, filtered, seq, ms }): Exchange => {
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
      status: verdict.status,
      forward: null,
      aborted: false,
    };
  });

describe("NDJSON lines of exchanges", () => {
  it("a batch holds exactly the lines, and every line gives back the exact body", () => {
    fc.assert(
      fc.property(fc.array(exchange, { maxLength: 12 }), fc.nat(4096), (exchanges, size) => {
        // A small first buffer makes the batch grow in the middle of a line.
        const batch = new LineBatch(size + 1);
        for (const ex of exchanges) batch.add(ex, !ex.verdict.filtered);
        const taken = batch.take();
        if (exchanges.length === 0) {
          expect(taken).toBeUndefined();
          return;
        }
        const lines = exchanges.map(exchangeLine);
        expect(taken?.all.toString("utf8")).toBe(lines.map((l) => `${l}\n`).join(""));
        const shown = exchanges.flatMap((ex, i) => (ex.verdict.filtered ? [] : [`${lines[i]}\n`]));
        expect(taken?.shown.toString("utf8")).toBe(shown.join(""));
        for (const [i, line] of lines.entries()) {
          const record = JSON.parse(line);
          expect(recordedBody(record, line)).toEqual(exchanges[i]?.request.body);
          expect(record.received_at).toBe(exchanges[i]?.receivedAt.toISOString());
          expect(record.headers).toEqual(exchanges[i]?.request.headers);
        }
        expect(batch.take()).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

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
