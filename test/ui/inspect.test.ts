import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LineEncoder } from "../../src/core/receiving/line-encoder.js";
import { RecordingIndex } from "../../src/core/receiving/recording-index.js";
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
    );
    const ui = setup({ log: index.source(), title: "ticket-hooks inspect" });
    let frame = await ui.frame((f) => f.includes("Coffee machine"));
    expect(frame).toContain("ticket-hooks inspect");
    expect(frame).toContain("3 request(s) recorded");
    expect(frame).not.toContain("valid 0");
    expect(rowWith(frame, "Printer on fire")).toMatch(/created/);
    expect(frame).toContain("プリンター");
    ui.app.stdin.write("/");
    ui.app.stdin.write("coffee");
    ui.app.stdin.write(KEYS.enter);
    frame = await ui.frame((f) => !f.includes("Printer on fire"));
    expect(frame).toContain("Coffee machine");
    ui.app.unmount();
    index.close();
  });

  it("moving through a long recording reads only the rows around the selection", async () => {
    const titles = Array.from({ length: 3000 }, (_, i) => `Ticket ${i + 1}`);
    const index = RecordingIndex.open(recording(titles));
    const read: number[] = [];
    const exchangeAt = index.exchange.bind(index);
    index.exchange = (i: number) => {
      read.push(i);
      return exchangeAt(i);
    };
    const ui = setup({ log: index.source() });
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

  it("is refused without a terminal (a usage error)", async () => {
    const result = await runMain(["inspect", recording(["x"])]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("inspect is interactive");
  });
});
