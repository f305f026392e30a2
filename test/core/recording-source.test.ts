import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadTemplate } from "../../src/core/events/templates.js";
import { parseWhere } from "../../src/core/events/where.js";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import {
  type ExchangeFilter,
  filterExchanges,
  matches,
  NO_FILTER,
} from "../../src/core/exchanges/exchange-query.js";
import { receive } from "../../src/core/receiving/receive.js";
import { LineEncoder } from "../../src/core/recording/line-encoder.js";
import { LineMatcher, lineMayMatch, whereLineCheck } from "../../src/core/recording/line-match.js";
import { exchangeFromLine, headMatches } from "../../src/core/recording/recorded-line.js";
import {
  type LineBlock,
  lineOf,
  RecordingIndex,
} from "../../src/core/recording/recording-index.js";
import { RecordingSource } from "../../src/core/recording/recording-source.js";
import { nodeFiles } from "../../src/io/files.js";
import { BUNDLED } from "../helpers/lookup.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NAMES = ["created", "updated", "assigned", "resolved"] as const;
const TEMPLATES = NAMES.map((n) => loadTemplate(n, BUNDLED).value as Record<string, unknown>);

/** The i-th exchange of a varied recording: every kind of row a filter tells apart. */
function exchangeAt(seq: number): Exchange {
  const event = structuredClone(TEMPLATES[seq % 4]) as {
    event_id: string;
    data: { ticket: Record<string, unknown> };
  };
  event.event_id = `whev_${String(seq).padStart(17, "0")}`;
  event.data.ticket.title = seq % 7 === 0 ? `Printer Nº ${seq} on fire` : `Ticket ${seq}`;
  let text = JSON.stringify(event);
  if (seq % 11 === 0) delete event.data.ticket.title; // invalid: a required field is gone
  if (seq % 11 === 0) text = JSON.stringify(event);
  // A title written with JSON escapes: its text is not in the line's bytes as typed.
  if (seq % 13 === 0) text = text.replace(`"Ticket ${seq}"`, `"Caf\\u00e9 ${seq}"`);
  let body = Buffer.from(text);
  if (seq % 17 === 0) body = Buffer.from([0xff, 0xfe, ...Buffer.from(`binary café ${seq}`)]);
  if (seq % 19 === 0) body = Buffer.from(`not json: coffee ${seq}\nsecond line`);
  const request = {
    method: "POST",
    url: "/",
    headers: { "content-type": "application/json" },
    body,
  };
  const verdict = receive(request, seq % 5 === 0 ? { secret: "s3cr3t" } : {});
  const forward =
    seq % 3 === 0 && !verdict.rejected
      ? {
          status: seq % 2 === 0 ? 500 : 200,
          duration_ms: 2,
          error: null,
          headers: {},
          body: "",
          body_bytes: 0,
          body_truncated: false,
        }
      : null;
  return {
    seq,
    receivedAt: new Date(Date.UTC(2026, 0, 1, 12, 0, seq % 60)),
    request,
    verdict,
    status: forward?.status ?? verdict.status,
    forward,
    aborted: false,
  };
}

function recording(count: number): string {
  const dir = mkdtempSync(join(tmpdir(), "recording-source-"));
  dirs.push(dir);
  const file = join(dir, "rec.ndjson");
  const encoder = new LineEncoder();
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) lines.push(`${encoder.line(exchangeAt(i))}\n`);
  writeFileSync(file, lines.join(""));
  return file;
}

/** A source whose background work runs only when the test says. */
function steppedSource(index: RecordingIndex, keep?: (ex: Exchange) => boolean) {
  const queue: Array<() => void> = [];
  const source = new RecordingSource(index, {
    sliceMs: 0,
    schedule: (run) => queue.push(run),
    ...(keep ? { keep } : {}),
  });
  source.subscribe(() => {});
  const step = () => queue.shift()?.();
  const drain = () => {
    let n = 0;
    while (queue.length > 0) {
      step();
      n++;
    }
    return n;
  };
  return { source, step, drain, pending: () => queue.length };
}

/** Lines as one block, each followed by a line break. */
function blockOf(lines: Buffer[]): LineBlock {
  const block = Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")]));
  const offsets = new Float64Array(lines.length * 2);
  let at = 0;
  lines.forEach((l, i) => {
    offsets[i * 2] = at;
    offsets[i * 2 + 1] = at + l.length;
    at += l.length + 1;
  });
  return { block, offsets, count: lines.length };
}

const seqs = (list: readonly Exchange[]) => Array.from(list, (e) => e.seq);

const FILTERS: ExchangeFilter[] = [
  { ...NO_FILTER, eventType: "whitelabel-ticket-resolved" },
  { ...NO_FILTER, verdict: "invalid" },
  { ...NO_FILTER, verdict: "rejected" },
  { ...NO_FILTER, verdict: "forward failed" },
  { ...NO_FILTER, query: "printer" },
  { ...NO_FILTER, query: "PRINTER nº" },
  { ...NO_FILTER, query: "café" },
  { ...NO_FILTER, query: "coffee" },
  { ...NO_FILTER, query: "#12" },
  { ...NO_FILTER, query: "whev_00000000000000042" },
  { eventType: "whitelabel-ticket-assigned", verdict: "forward failed", query: "ticket" },
];

describe("RecordingSource: a recording searched in the background", () => {
  it("every filter finds what filtering all parsed lines finds, in order", () => {
    const index = RecordingIndex.open(recording(1200), nodeFiles);
    const all = Array.from({ length: index.length }, (_, i) =>
      exchangeFromLine(index.line(i), i + 1),
    );
    const { source, drain } = steppedSource(index);
    for (const filter of FILTERS) {
      const view = source.view(filter);
      drain();
      expect(view.progress).toBeNull();
      const expected = seqs(filterExchanges(all, filter));
      expect(expected.length).toBeGreaterThan(0);
      expect(seqs(view.entries), JSON.stringify(filter)).toEqual(expected);
      for (const [i, seq] of expected.entries()) {
        if (i % 7 === 0) expect(view.indexOfSeq(seq)).toBe(i);
      }
      expect(view.indexOfSeq(100_000)).toBe(-1);
    }
    index.close();
  });

  it("no line that matches is passed over by the byte check", () => {
    const index = RecordingIndex.open(recording(600), nodeFiles);
    for (const filter of FILTERS) {
      for (let i = 0; i < index.length; i++) {
        const line = index.line(i);
        if (matches(exchangeFromLine(line, i + 1), filter)) {
          expect(lineMayMatch(line, filter, i + 1), `${JSON.stringify(filter)} line ${i + 1}`).toBe(
            true,
          );
        }
      }
    }
    // A block searched as a whole finds the same lines as each line on its own: the recording
    // (not all ASCII), and its ASCII lines alone (searched as one text).
    const all = index.lines(0, index.length, Buffer.alloc(64 << 20));
    const asciiLines = Array.from({ length: all.count }, (_, i) => lineOf(all, i)).filter((l) =>
      l.every((b) => b < 0x80),
    );
    const ascii = blockOf(asciiLines);
    for (const filter of FILTERS) {
      const matcher = new LineMatcher(filter);
      const seqOf = (i: number) => i + 1;
      const one = (b: LineBlock) =>
        Array.from({ length: b.count }, (_, i) => i).filter((i) =>
          matcher.may(lineOf(b, i), seqOf(i)),
        );
      expect(matcher.candidates(all, seqOf)).toEqual(one(all));
      expect(matcher.candidates(ascii, seqOf)).toEqual(one(ascii));
    }
    // And it does pass over lines: a title search skips most.
    const skipped = Array.from({ length: index.length }, (_, i) => index.line(i)).filter(
      (line, i) => !lineMayMatch(line, { ...NO_FILTER, query: "printer" }, i + 1),
    );
    expect(skipped.length).toBeGreaterThan(index.length / 2);
    index.close();
  });

  it("shows the matches found so far and how far it has come, without reading rows", () => {
    const index = RecordingIndex.open(recording(6000), nodeFiles);
    const { source, step, drain } = steppedSource(index);
    let shown = 0;
    const exchangeAt = index.exchange.bind(index);
    index.exchange = (i: number) => {
      shown++;
      return exchangeAt(i);
    };
    const view = source.view({ ...NO_FILTER, query: "printer" });
    expect(view.entries.length).toBe(0);
    expect(view.progress).toBe(0);
    step();
    const early = view.entries.length;
    expect(early).toBeGreaterThan(0);
    expect(view.progress).toBeGreaterThan(0);
    expect(view.progress).toBeLessThan(1);
    // The search reads lines in batches: none went through the rows' cache.
    expect(shown).toBe(0);
    drain();
    expect(view.progress).toBeNull();
    const all = Array.from({ length: index.length }, (_, i) =>
      exchangeFromLine(index.line(i), i + 1),
    );
    expect(view.entries.length).toBe(
      filterExchanges(all, { ...NO_FILTER, query: "printer" }).length,
    );
    expect(view.entries.length).toBeGreaterThan(early);
    index.close();
  });

  it("the filter asked for last is searched first", () => {
    const index = RecordingIndex.open(recording(6000), nodeFiles);
    const { source, step } = steppedSource(index);
    const first = source.view({ ...NO_FILTER, query: "printer" });
    step();
    const firstFound = first.entries.length;
    const second = source.view({ ...NO_FILTER, verdict: "invalid" });
    step();
    expect(second.entries.length).toBeGreaterThan(0);
    expect(first.entries.length).toBe(firstFound);
    index.close();
  });

  it("indexes in the background: the first rows are there before the file is read", () => {
    // More than one 4 MiB read.
    const file = recording(4500);
    const index = RecordingIndex.start(file, nodeFiles);
    const { source, step, drain } = steppedSource(index);
    expect(index.length).toBe(0);
    expect(source.loading).toBe(0);
    step();
    expect(index.length).toBeGreaterThan(0);
    expect(source.entries.length).toBe(index.length);
    expect(source.loading).toBeGreaterThan(0);
    expect(source.loading).toBeLessThan(1);
    expect(source.entries[0]?.verdict.title).toBe("Ticket 1");
    drain();
    expect(source.loading).toBeNull();
    expect(source.entries.length).toBe(4500);
    expect(source.counters.received).toBe(4500);
    index.close();
  });

  it("--where applies to every view; rows sent from the UI come after the recording's", () => {
    const index = RecordingIndex.start(recording(300), nodeFiles);
    const keep = (ex: Exchange) => ex.verdict.title?.includes("7") === true;
    const { source, drain } = steppedSource(index, keep);
    expect(() => source.checkAppend()).toThrow(/still being read/);
    drain();
    const kept = seqs(source.entries);
    expect(kept.length).toBeGreaterThan(0);
    expect(source.entries.every(keep)).toBe(true);
    const printers = source.view({ ...NO_FILTER, query: "printer" });
    drain();
    expect(printers.entries.length).toBeGreaterThan(0);
    expect(printers.entries.every((e) => keep(e) && /printer/i.test(e.verdict.title ?? ""))).toBe(
      true,
    );
    const sent = source.append((seq) => ({ ...exchangeAt(7), seq, editedFrom: 7 }));
    expect(sent.seq).toBe(301);
    expect(seqs(source.entries)).toEqual([...kept, 301]);
    expect(seqs(printers.entries).at(-1)).toBe(301);
    expect(printers.indexOfSeq(301)).toBe(printers.entries.length - 1);
    index.close();
  });

  it("a NUL byte past the first chunk stops the reading as no recording; the rows before stay", () => {
    const file = recording(4000);
    const size = statSync(file).size;
    appendFileSync(file, Buffer.from([0x7b, 0x00, 0x7d, 10]));
    const stepped = steppedSource(RecordingIndex.start(file, nodeFiles));
    stepped.drain();
    expect(stepped.source.entries.length).toBe(4000);
    expect(stepped.source.failure).toBe(
      `${file} is not a recording: a NUL byte at byte ${size + 1} (the rows before it are shown)`,
    );
  });

  it("says why nothing is shown: no recorded request, or none that matches --where", () => {
    const dir = mkdtempSync(join(tmpdir(), "recording-source-"));
    dirs.push(dir);
    const junk = join(dir, "junk.ndjson");
    writeFileSync(
      junk,
      Buffer.concat([Buffer.from("[1,2]\n\ngarbage\n"), Buffer.from([0x7b, 0xff, 0x7d, 10])]),
    );
    const empty = steppedSource(RecordingIndex.start(junk, nodeFiles));
    empty.drain();
    expect(empty.source.entries.length).toBe(0);
    expect(empty.source.emptyText()).toBe(
      `No recorded requests in ${junk} (3 line(s) skipped: not a UTF-8 JSON object, or cut short)`,
    );
    const where = [parseWhere("data.ticket.title=nothing like it")];
    const index = RecordingIndex.start(recording(50), nodeFiles);
    const none = steppedSource(index);
    const noneWhere = new RecordingSource(index, {
      keep: () => false,
      keepLine: whereLineCheck(where),
      sliceMs: 0,
      schedule: (run) => run(),
    });
    none.drain();
    expect(noneWhere.emptyText()).toBe("Looking for the requests that match --where…");
    noneWhere.subscribe(() => {});
    expect(noneWhere.entries.length).toBe(0);
    expect(noneWhere.counters.received).toBe(0);
    expect(noneWhere.emptyText()).toBe("None of the 50 recorded request(s) match --where");
    expect(noneWhere.countText()).toBe("0 of 50 recorded request(s) match --where");
    expect(noneWhere.loadingLabel).toBe("filtering");
    expect(none.source.countText()).toBe("50 request(s) recorded");
  });

  it("numbers rows by their line in the file, in every view", () => {
    const file = recording(20);
    const lines = readFileSync(file, "utf8").split("\n");
    // Lines that are skipped, between the recorded ones: rows keep their line numbers.
    writeFileSync(file, [lines[0], "garbage", "", ...lines.slice(1)].join("\n"));
    const index = RecordingIndex.open(file, nodeFiles);
    const { source, drain } = steppedSource(index);
    expect(seqs(source.entries).slice(0, 3)).toEqual([1, 4, 5]);
    expect(source.view(NO_FILTER).indexOfSeq(4)).toBe(1);
    expect(source.view(NO_FILTER).indexOfSeq(2)).toBe(-1);
    const printers = source.view({ ...NO_FILTER, query: "printer" });
    drain();
    // Ticket 7 and 14 are on lines 9 and 16.
    expect(seqs(printers.entries)).toEqual([9, 16]);
    expect(printers.indexOfSeq(16)).toBe(1);
    expect(source.append((seq) => ({ ...exchangeAt(7), seq })).seq).toBe(23);
  });

  it("the --where byte check passes every line that holds a matching event", () => {
    const check = whereLineCheck([parseWhere("data.ticket.title=Ticket 5")]);
    expect(check(Buffer.from('{"data":{"ticket":{"title":"Ticket 5"}}}'))).toBe(true);
    expect(check(Buffer.from('{"data":{"ticket":{"title":"Ticket 6"}}}'))).toBe(false);
    // Escaped text could hide it: a candidate.
    expect(check(Buffer.from('{"data":{"ticket":{"title":"Ticket \\u0035"}}}'))).toBe(true);
    // Numbers can be written in other ways: not checked on bytes.
    const number = whereLineCheck([parseWhere("data.n=1000")]);
    expect(number(Buffer.from('{"data":{"n":1e3}}'))).toBe(true);
  });

  it("reads event type and verdict from a line's head, or leaves the line to a whole parse", () => {
    const encoder = new LineEncoder();
    const ex = exchangeAt(3);
    const line = Buffer.from(encoder.line(ex));
    const type = { ...NO_FILTER, eventType: ex.verdict.eventType };
    expect(headMatches(line, type)).toBe(true);
    expect(headMatches(line, { ...NO_FILTER, eventType: "whitelabel-ticket-other" })).toBe(false);
    expect(headMatches(line, { ...NO_FILTER, verdict: "forward failed" })).toBe(
      matches(exchangeFromLine(line, 3), { ...NO_FILTER, verdict: "forward failed" }),
    );
    // A header named like the field the head ends at is read as a header.
    const odd = { ...ex, request: { ...ex.request, headers: { a: "1", body_encoding: "x" } } };
    expect(headMatches(Buffer.from(encoder.line(odd)), type)).toBe(true);
    // A line from before the verdict was recorded: no answer.
    expect(
      headMatches(Buffer.from('{"type":"request","body_encoding":"utf8","body":""}'), type),
    ).toBeNull();
  });

  it("a read error in the background stops the reading with a message, not a crash", () => {
    const index = RecordingIndex.start(recording(20), nodeFiles);
    index.indexMore = () => {
      throw Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
    };
    const { source, drain } = steppedSource(index);
    expect(() => drain()).not.toThrow();
    expect(source.failure).toMatch(/^cannot read .*rec\.ndjson further: /);
    expect(source.emptyText()).toBe(source.failure);
    expect(source.loading).toBeNull();
    index.close();
  });

  it("a cleared search stops: the --where view on screen goes on", () => {
    const index = RecordingIndex.open(recording(6000), nodeFiles);
    const { source, step } = steppedSource(index, (ex) => ex.verdict.title?.includes("1") === true);
    const search = source.view({ ...NO_FILTER, query: "ticket" });
    step();
    const searched = search.progress;
    const base = source.view(NO_FILTER);
    const before = base.progress ?? 0;
    step();
    step();
    expect(search.progress).toBe(searched);
    expect(base.progress ?? 1).toBeGreaterThan(before);
    index.close();
  });
});
