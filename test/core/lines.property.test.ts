import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FileLine, LineSplitter } from "../../src/core/recording/lines.js";

// The one line reader of a recording (replay's lines and inspect's index both come from it): for
// any bytes and any chunking, even a caller that reuses its chunk's memory, the lines are what
// splitting the whole input on LF gives, a CR before the LF dropped, with their file offsets.

const text = fc.string({
  unit: fc.constantFrom("a", "é", "😀", "\n", "\r", "\r\n", "{", " "),
  maxLength: 120,
});

/** The plain way: the whole input split on LF; a last line only when it is not empty. */
function plainLines(input: Buffer, maxLine: number) {
  const out: Array<Omit<FileLine, "bytes"> & { bytes: string | null }> = [];
  let start = 0;
  let number = 0;
  while (start < input.length) {
    let nl = input.indexOf(0x0a, start);
    if (nl === -1) nl = input.length;
    let line = input.subarray(start, nl);
    const tooLong = line.length > maxLine;
    const cr = line.at(-1) === 0x0d;
    if (cr) line = line.subarray(0, -1);
    out.push({
      number: ++number,
      start,
      end: tooLong ? nl : nl - (cr ? 1 : 0),
      bytes: tooLong ? null : line.toString("latin1"),
    });
    start = nl + 1;
  }
  return out;
}

function split(input: Buffer, cuts: number[], maxLine: number, reuse: boolean) {
  const splitter = new LineSplitter(maxLine);
  const at = [...new Set(cuts.map((c) => c % (input.length + 1))), input.length].sort(
    (a, b) => a - b,
  );
  const out: ReturnType<typeof plainLines> = [];
  const scratch = Buffer.alloc(input.length);
  const take = (lines: FileLine[]) => {
    for (const l of lines) out.push({ ...l, bytes: l.bytes?.toString("latin1") ?? null });
  };
  let from = 0;
  for (const cut of at) {
    if (cut <= from) continue;
    const chunk = reuse ? scratch.subarray(0, cut - from) : input.subarray(from, cut);
    if (reuse) input.copy(chunk, 0, from, cut);
    take(splitter.push(chunk));
    // A caller that reuses its memory overwrites the chunk once it is split.
    if (reuse) chunk.fill(0x21);
    from = cut;
  }
  const last = splitter.end();
  if (last) take([last]);
  return out;
}

describe("LineSplitter: the one reader of a recording's lines", () => {
  it("gives the lines of the whole input, for any chunking and any line limit", () => {
    fc.assert(
      fc.property(
        text,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        (s, cuts, maxLine, reuse) => {
          const input = Buffer.from(s, "utf8");
          // A too-long line's end may include its CR: only kept lines' ends are compared exactly.
          const got = split(input, cuts, maxLine, reuse).map((l) =>
            l.bytes === null ? { ...l, end: -1 } : l,
          );
          const want = plainLines(input, maxLine).map((l) =>
            l.bytes === null ? { ...l, end: -1 } : l,
          );
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});
