import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import { receive } from "../../src/core/receiving/receive.js";
import { LineBatch } from "../../src/core/recording/line-batch.js";
import { exchangeLine } from "../../src/core/recording/line-encoder.js";
import {
  lineBatches,
  type RecordedEvent,
  recordedEvents,
} from "../../src/core/recording/recording.js";

// Text with characters of 1 to 4 UTF-8 bytes, so chunk boundaries fall inside characters.
const multiByte = fc.string({
  unit: fc.constantFrom("a", "é", "€", "😀", "中", '"', "\\", " "),
  maxLength: 40,
});

function exchangeOf(title: string, note: string, seq: number, pretty: boolean): Exchange {
  const event = { event_type: "whitelabel-ticket-created", data: { ticket: { title } } };
  const request = {
    method: "POST",
    url: `/hooks/${note}`,
    // node:http gives header values as latin1 text.
    headers: {
      "content-type": "application/json",
      "x-note": Buffer.from(note).toString("latin1"),
    },
    body: Buffer.from(pretty ? JSON.stringify(event, null, 2) : JSON.stringify(event)),
  };
  const verdict = receive(request, { path: `/hooks/${note}` });
  return {
    seq,
    receivedAt: new Date(0),
    request,
    verdict,
    status: verdict.status,
    forward: null,
    aborted: false,
  };
}

function recordingOf(exchanges: Exchange[]): Buffer {
  const batch = new LineBatch(16);
  for (const ex of exchanges) batch.add(ex);
  let bytes = Buffer.alloc(0);
  batch.drain((all) => {
    bytes = Buffer.from(all);
    return true;
  });
  return bytes;
}

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(bytes: Buffer, size: number): Promise<RecordedEvent[]> {
  const warnings: string[] = [];
  const out: RecordedEvent[] = [];
  for await (const r of recordedEvents(chunked(bytes, size), "rec", (w) => warnings.push(w))) {
    out.push(r);
  }
  expect(warnings).toEqual([]);
  return out;
}

describe("reading a recording splits on bytes", () => {
  it("every chunk size from 1 byte up gives byte-identical bodies", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(multiByte, multiByte, fc.boolean()), { minLength: 1, maxLength: 3 }),
        async (items) => {
          const exchanges = items.map(([title, note, pretty], i) =>
            exchangeOf(title, note, i + 1, pretty),
          );
          const bytes = recordingOf(exchanges);
          for (let size = 1; size <= bytes.length + 1; size++) {
            const read = await readAll(bytes, size);
            expect(read.map((r) => r.body.toString("hex"))).toEqual(
              exchanges.map((ex) => ex.request.body.toString("hex")),
            );
          }
        },
      ),
      { numRuns: 5 },
    );
  }, 120_000);

  it("body_start is a byte offset into the line's UTF-8 bytes", () => {
    const ex = exchangeOf("中文 😀", "é€", 1, false);
    const line = Buffer.from(exchangeLine(ex), "utf8");
    const record = JSON.parse(line.toString("utf8"));
    expect(record.body_encoding).toBe("json");
    // What a Python or jq reader does: slice the line's bytes.
    expect(line.subarray(record.body_start, line.length - 1)).toEqual(ex.request.body);
  });

  it("a line longer than the limit is skipped with its line number, the next one is read", async () => {
    const lines: { number: number; bytes: string | null }[] = [];
    const input = Buffer.from(`short\n${"x".repeat(100)}\nnext\r\nlast`);
    for await (const batch of lineBatches(chunked(input, 7), 50)) {
      for (const l of batch) lines.push({ number: l.number, bytes: l.bytes?.toString() ?? null });
    }
    expect(lines).toEqual([
      { number: 1, bytes: "short" },
      { number: 2, bytes: null },
      { number: 3, bytes: "next" },
      { number: 4, bytes: "last" },
    ]);
  });

  it("a NUL byte ends the reading: a recording is text", async () => {
    const read = recordedEvents(chunked(Buffer.alloc(1000), 100), "/dev/zero", () => {});
    await expect(read.next()).rejects.toThrow(/not a recording: a NUL byte at byte 0/);
  });
});
