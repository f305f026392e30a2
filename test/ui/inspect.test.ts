import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LineEncoder } from "../../src/core/recording/line-encoder.js";
import { RecordingIndex } from "../../src/core/recording/recording-index.js";
import { RecordingSource } from "../../src/core/recording/recording-source.js";
import { nodeFiles } from "../../src/io/files.js";
import { runMain } from "../helpers/main.js";
import { exchange, KEYS, rowWith, setup } from "./ui-harness.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A recording as `listen --record` writes it, of these titles. */
function recording(titles: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "inspect-"));
  dirs.push(dir);
  const file = join(dir, "rec.ndjson");
  const encoder = new LineEncoder();
  const lines = titles.map((t, i) => `${encoder.line(exchange(i + 1, "created", t))}\n`);
  writeFileSync(file, lines.join(""));
  return file;
}

describe("inspect: a recording in the live UI", () => {
  it("shows the recorded rows, read from disk, and browses and searches them", async () => {
    const index = RecordingIndex.open(
      recording(["Printer on fire", "プリンター", "Coffee machine"]),
      nodeFiles,
    );
    const ui = setup({ log: new RecordingSource(index), title: "ticket-hooks inspect" });
    let frame = await ui.frame((f) => f.includes("Coffee machine"));
    expect(frame).toContain("ticket-hooks inspect");
    expect(frame).toContain("3 request(s) recorded");
    expect(frame).not.toContain("valid 0");
    expect(rowWith(frame, "Printer on fire")).toMatch(/created/);
    expect(frame).toContain("プリンター");
    ui.app.stdin.write("/");
    ui.app.stdin.write("coffee");
    ui.app.stdin.write(KEYS.enter);
    // Searched in the background: the match shows when the search has come to it.
    frame = await ui.frame((f) => !f.includes("Printer on fire") && f.includes("1/1"));
    expect(frame).toContain("Coffee machine");
    expect(frame).not.toContain("searching");
    ui.app.unmount();
    index.close();
  });

  it("moving through a long recording reads only the rows around the selection", async () => {
    const titles = Array.from({ length: 3000 }, (_, i) => `Ticket ${i + 1}`);
    const index = RecordingIndex.open(recording(titles), nodeFiles);
    const read: number[] = [];
    const exchangeAt = index.exchange.bind(index);
    index.exchange = (i: number) => {
      read.push(i);
      return exchangeAt(i);
    };
    const ui = setup({ log: new RecordingSource(index) });
    await ui.frame((f) => f.includes("Ticket 3000"));
    read.length = 0;
    ui.app.stdin.write(KEYS.up);
    ui.app.stdin.write(KEYS.up);
    const frame = await ui.frame((f) => /2,998\/3,000/.test(f));
    expect(frame).toContain("Ticket 2998");
    // Not a scan of the 3,000 lines for the selected one (the cache holds 512).
    expect(read.length).toBeLessThan(600);
    ui.app.unmount();
    index.close();
  });

  it("shows how far reading and a search have come, and the matches found so far", async () => {
    const titles = Array.from({ length: 5000 }, (_, i) =>
      i % 50 === 7 ? `Printer ${i}` : `T${i}`,
    );
    const index = RecordingIndex.start(recording(titles), nodeFiles);
    const queue: Array<() => void> = [];
    const source = new RecordingSource(index, { sliceMs: 0, schedule: (run) => queue.push(run) });
    const ui = setup({ log: source, title: "ticket-hooks inspect" });
    await ui.frame((f) => f.includes("0/0 (reading 0%)"));
    queue.shift()?.();
    await ui.frame((f) => /\(reading [1-9]\d?%\)/.test(f) && f.includes("request(s) recorded"));
    while (queue.length > 0) queue.shift()?.();
    await ui.frame((f) => f.includes("5,000/5,000") && !f.includes("reading"));
    ui.app.stdin.write("/printer");
    ui.app.stdin.write(KEYS.enter);
    await ui.frame((f) => f.includes("0/0 (searching 0%)") && f.includes("No match yet"));
    queue.shift()?.();
    const partial = await ui.frame((f) => /\d+\/\d+ \(searching [1-9]\d?%\)/.test(f));
    expect(partial).toMatch(/› .*Printer \d+/);
    while (queue.length > 0) queue.shift()?.();
    const done = await ui.frame((f) => f.includes("100/100") && !f.includes("searching"));
    expect(done).toContain("Printer 4957");
    source.close();
    ui.app.unmount();
    index.close();
  });

  it("an empty file name is a usage error, not the working folder", async () => {
    const result = await runMain(["inspect", ""], { tty: true });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("give a recording file to inspect");
  });

  it("is refused without a terminal (a usage error)", async () => {
    const result = await runMain(["inspect", recording(["x"])]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("inspect is interactive");
  });
});

describe("inspect: one rule for what a recording is", () => {
  function fileOf(content: Buffer | string): string {
    const dir = mkdtempSync(join(tmpdir(), "inspect-"));
    dirs.push(dir);
    const file = join(dir, "rec.ndjson");
    writeFileSync(file, content);
    return file;
  }

  it("random bytes are refused as replay refuses them, with the same words (exit 2)", async () => {
    const bytes = Buffer.alloc(300_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 3)) & 0xff;
    const file = fileOf(bytes);
    const inspect = await runMain(["inspect", file], { tty: true });
    const replay = await runMain(["replay", file, "--dry-run"]);
    expect(inspect.code).toBe(2);
    expect(replay.code).toBe(2);
    const said = /is not a recording: a NUL byte at byte \d+/;
    expect(inspect.stderr).toMatch(said);
    expect(inspect.stderr.match(said)?.[0]).toBe(replay.stderr.match(said)?.[0]);
  });

  it("lines that are not UTF-8 JSON objects are no rows, as replay skips them", () => {
    const good = new LineEncoder().line(exchange(1, "created", "Kept"));
    // Lines that start with "{" but are not recorded requests: not UTF-8, not closed.
    const notUtf8 = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const file = fileOf(
      Buffer.concat([
        Buffer.from(`${good}\n`),
        notUtf8,
        Buffer.from('\n{ not closed\n{"body":"x"}\n'),
      ]),
    );
    const index = RecordingIndex.open(file, nodeFiles);
    // The last line is a JSON object with a body: a request (replay sends it too).
    expect(index.length).toBe(2);
    expect(index.skipped).toBe(2);
    index.close();
  });

  it("a line longer than --max-line is a row shown as too long, never read", async () => {
    const encoder = new LineEncoder();
    const long = encoder.line(exchange(1, "created", "x".repeat(5000)));
    const short = encoder.line(exchange(2, "created", "Short one"));
    const index = RecordingIndex.open(fileOf(`${long}\n${short}\n`), nodeFiles, 3000);
    expect(index.length).toBe(2);
    const read = index.line.bind(index);
    index.line = (i: number) => {
      if (i === 0) throw new Error("the long line was read");
      return read(i);
    };
    expect(index.exchange(0).verdict.error).toBe(
      `too long to read: line 1 is ${Buffer.byteLength(long)} bytes, over --max-line (3000)`,
    );
    expect(index.exchange(0).request.body.length).toBe(0);
    const ui = setup({ log: new RecordingSource(index) });
    let frame = await ui.frame((f) => f.includes("Short one"));
    expect(frame).toMatch(/too long to read/);
    // A search reads around it.
    ui.app.stdin.write("/");
    ui.app.stdin.write("short");
    ui.app.stdin.write(KEYS.enter);
    frame = await ui.frame((f) => f.includes("1/1"));
    expect(frame).toContain("Short one");
    ui.app.unmount();
    index.close();
  });

  it("inspect --max-line is a whole number of bytes", async () => {
    const r = await runMain(["inspect", "x.ndjson", "--max-line", "lots"], { tty: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-line must be a whole number/);
  });
});

describe("inspect: what is wrong first", () => {
  it("a missing file is said to be missing, terminal or not", async () => {
    const r = await runMain(["inspect", "missing.ndjson"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read missing\.ndjson/);
    expect(r.stderr).not.toMatch(/terminal/);
  });
});
