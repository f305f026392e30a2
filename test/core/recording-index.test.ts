import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RecordingIndex } from "../../src/core/recording/recording-index.js";
import { nodeFiles } from "../../src/io/files.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function file(content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), "recording-index-"));
  dirs.push(dir);
  const path = join(dir, "rec.ndjson");
  writeFileSync(path, content);
  return path;
}

/** A recorded line whose body (a JSON event) starts at a byte offset, as `listen --record` writes. */
function line(seq: number, title: string): string {
  const body = JSON.stringify({
    event_type: "whitelabel-ticket-created",
    data: { ticket: { title } },
  });
  const head = `{"type":"request","seq":${seq},"received_at":"2026-01-01T12:00:00.000Z","method":"POST","path":"/","headers":{"content-type":"application/json"},"status":200,"rejected":false,"error":null,"body_encoding":"json","body_start":`;
  const pad = 8;
  const start = Buffer.byteLength(head) + pad + ',"body":'.length;
  return `${head}${String(start).padStart(pad, " ")},"body":${body}}`;
}

describe("RecordingIndex", () => {
  it("finds each line by byte offset, with multi-byte text before it", () => {
    const lines = [line(1, "プリンターが壊れた"), line(2, "👩‍👩‍👧 family"), line(3, "plain")];
    const index = RecordingIndex.open(file(`${lines.join("\n")}\n`), nodeFiles);
    expect(index.length).toBe(3);
    for (let i = 0; i < 3; i++) expect(index.line(i).toString("utf8")).toBe(lines[i]);
    const titles = [0, 1, 2].map(
      (i) => JSON.parse(index.exchange(i).request.body.toString("utf8")).data.ticket.title,
    );
    expect(titles).toEqual(["プリンターが壊れた", "👩‍👩‍👧 family", "plain"]);
    expect(index.exchange(1).seq).toBe(2);
    expect(index.exchange(1).verdict.eventType).toBe("whitelabel-ticket-created");
    index.close();
  });

  it("skips a line cut short at the end, blank lines and lines that are no JSON object", () => {
    const whole = line(1, "ä");
    const cut = line(2, "cut").slice(0, 40);
    const index = RecordingIndex.open(
      file(`\n${whole}\nnot json\n\n${line(3, "é")}\n${cut}`),
      nodeFiles,
    );
    expect(index.length).toBe(2);
    expect(JSON.parse(index.line(1).toString()).seq).toBe(3);
    // Numbered by their line in the file (as replay's warnings number them).
    expect(index.exchange(0).seq).toBe(2);
    expect(index.exchange(1).seq).toBe(5);
    expect(index.indexOfLine(5)).toBe(1);
    expect(index.indexOfLine(3)).toBe(-1);
    // "not json" and the line cut short; blank lines are not counted.
    expect(index.skipped).toBe(2);
    expect(index.linesSeen).toBe(6);
    expect(index.entries().length).toBe(2);
    expect(index.entries()[1]?.request.body.toString()).toContain("é");
    index.close();
  });

  it("reads lines that end CR LF (a file edited on Windows) without their CR", () => {
    const lines = [line(1, "a"), line(2, "b")];
    const index = RecordingIndex.open(file(`${lines.join("\r\n")}\r\n\r\n`), nodeFiles);
    expect(index.length).toBe(2);
    expect(index.line(1).toString()).toBe(lines[1]);
    const body = index.exchange(1).request.body.toString();
    expect(JSON.parse(body).data.ticket.title).toBe("b");
    index.close();
  });

  it("refuses a folder or a pipe, in words", () => {
    const dir = mkdtempSync(join(tmpdir(), "recording-index-"));
    dirs.push(dir);
    expect(() => RecordingIndex.open(dir, nodeFiles)).toThrow(`${dir} is a folder`);
    expect(() => RecordingIndex.open("/dev/null", nodeFiles)).toThrow("is not a regular file");
    // A pipe is refused before it is opened (opening one waits for a writer).
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    expect(() => RecordingIndex.start(fifo, nodeFiles)).toThrow(`${fifo} is not a regular file`);
  });

  it("indexes lines that cross the 1 MiB read chunks", () => {
    const big = line(1, "x".repeat(1024 * 1024 + 17));
    const lines = [big, line(2, "ü".repeat(700_000)), line(3, "end")];
    const index = RecordingIndex.open(file(`${lines.join("\n")}\n`), nodeFiles);
    expect(index.length).toBe(3);
    for (let i = 0; i < 3; i++)
      expect(index.line(i).equals(Buffer.from(lines[i] as string))).toBe(true);
    index.close();
  });
});
