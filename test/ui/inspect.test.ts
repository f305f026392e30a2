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
