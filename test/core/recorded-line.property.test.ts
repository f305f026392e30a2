import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import { receive } from "../../src/core/receiving/receive.js";
import { exchangeLine } from "../../src/core/recording/line-encoder.js";
import { readRecordedLine } from "../../src/core/recording/recorded-line.js";
import { plainRecordedLine } from "../helpers/plain-recorded-line.js";

// readRecordedLine parses only the head of a line and slices the body's bytes; the plain reference
// parses the whole line. They must agree on every line the listener writes and on every cut of one.

const MARKER = ',"body_encoding":"json","body_start":';
const tricky = fc.string({
  unit: fc.constantFrom("a", "é", "😀", '"', "\\", "{", "}", "[", "]", " ", MARKER, ',"body":'),
  maxLength: 12,
});

/** The Content-Length a line records: the body's, a wrong one, or none (a chunked request). */
type Declared = "right" | "wrong" | "none";

function exchangeOf(body: string, note: string, declared: Declared = "none"): Exchange {
  const bytes = Buffer.from(body);
  const length = { right: String(bytes.length), wrong: String(bytes.length + 1), none: null };
  const request = {
    method: "POST",
    url: "/",
    headers: {
      "content-type": "application/json",
      // node:http gives header values as latin1 text.
      "x-note": Buffer.from(note).toString("latin1"),
      ...(length[declared] === null ? {} : { "content-length": length[declared] }),
    },
    body: bytes,
  };
  const verdict = receive(request, {});
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

/** What a reader takes from a line: every field but the parsed body, and the body's bytes. */
function taken(read: ReturnType<typeof readRecordedLine>) {
  if (read === null || read === "blank") return read;
  const { body: _parsed, ...fields } = read.fields;
  return { fields, body: read.body.toString("hex") };
}

function agree(line: Buffer): void {
  expect(taken(readRecordedLine(line))).toEqual(taken(plainRecordedLine(line)));
}

const jsonBody = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc
    .record({ event_type: tricky, note: tricky, list: fc.array(tricky, { maxLength: 3 }) })
    .map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 20 }),
);

const declared = fc.constantFrom<Declared>("right", "wrong", "none");

describe("a recording line read by its head", () => {
  it("gives what parsing the whole line gives, for whole lines and every cut of them", () => {
    fc.assert(
      fc.property(jsonBody, tricky, declared, (body, note, length) => {
        const line = Buffer.from(exchangeLine(exchangeOf(body, note, length)), "utf8");
        agree(line);
        for (let cut = 0; cut < line.length; cut++) agree(line.subarray(0, cut));
      }),
      { numRuns: 60 },
    );
  });

  it("reads an embedded body without parsing it: the head's fields and the body's bytes", () => {
    const body = `{"event_type":"x","a":"${MARKER.replaceAll('"', '\\"')}"}`;
    const line = Buffer.from(exchangeLine(exchangeOf(body, MARKER)), "utf8");
    const read = readRecordedLine(line);
    expect(read).toMatchObject({ fields: { body_encoding: "json" } });
    expect(read).not.toHaveProperty("fields.body");
    expect((read as { body: Buffer }).body.toString()).toBe(body);
  });

  it("a cut line followed by a whole one on the same line is not a recorded request", () => {
    for (const length of ["right", "none"] as const) {
      const line = exchangeLine(exchangeOf('{"a":{"b":[1,2]},"c":"}"}', "n", length));
      const joined = Buffer.from(`${line.slice(0, -5)}${line}`, "utf8");
      expect(readRecordedLine(joined)).toBeNull();
      expect(plainRecordedLine(joined)).toBeNull();
    }
  });

  it("a cut line that another line ran on into is not taken for whole, even when the lengths agree", () => {
    const big = JSON.stringify({ event_type: "x", title: "x".repeat(5000) });
    const first = Buffer.from(exchangeLine(exchangeOf(big, "n", "right")), "utf8");
    const second = Buffer.from(exchangeLine(exchangeOf('{"a":1}', "n", "right")), "utf8");
    const start = first.indexOf(',"body":') + ',"body":'.length;
    // Cut the first body where the run-on body's length equals its recorded Content-Length.
    const keep = Buffer.byteLength(big) - second.length + 1;
    const joined = Buffer.concat([first.subarray(0, start + keep), second]);
    expect(joined.length - 1 - start).toBe(Buffer.byteLength(big));
    expect(readRecordedLine(joined)).toBeNull();
    expect(plainRecordedLine(joined)).toBeNull();
  });

  it("a line cut inside its body is told by its length, with or without a Content-Length", () => {
    const body = '{"a":{"b":[1,2]},"c":"x"}';
    for (const length of ["right", "wrong", "none"] as const) {
      const line = exchangeLine(exchangeOf(body, "n", length));
      // Cut after `{"a":{"b":[1,2]}`, then closed: it ends with `}`, as a whole line does.
      const cut = Buffer.from(`${line.slice(0, line.indexOf(',"c"'))}}`, "utf8");
      expect(readRecordedLine(cut), length).toBeNull();
      expect(readRecordedLine(Buffer.from(line, "utf8")), length).not.toBeNull();
    }
  });
});
