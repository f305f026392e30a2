import { isAscii } from "node:buffer";
import type { WhereClause } from "../events/where.js";
import type { ExchangeFilter } from "../exchanges/exchange-query.js";
import { type LineBlock, lineOf } from "./recording-index.js";

/*
 * Which recorded lines could hold an exchange a filter shows, judged on their bytes, so a search
 * over millions of lines parses just the candidates. Never a false "no": everything the filter
 * looks at (event type, verdict fields, title, ids, body) is in a line's bytes, except
 *  - text the line holds escaped (a `\` anywhere) or base64: such lines are always candidates;
 *  - the row number (`#12`), which is the line's number in the file, not in its bytes: checked
 *    on the number;
 *  - the verdict of a line without the recorded verdict (no `"validation":` field, written by
 *    hand or by an older version), worked out from its body when shown: always a candidate.
 * A block of lines that is all ASCII is searched as a whole; other lines one by one.
 */

const BACKSLASH = 92;
const BASE64_FIELD = Buffer.from('"body_encoding":"base64"');
const VALIDATION_FIELD = Buffer.from(',"validation":');

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export class LineMatcher {
  private readonly type: Buffer | null;
  /** The line must hold one of these (the verdict filter's fields). */
  private readonly verdictNeedles: Buffer[] | null;
  private readonly query: string;
  /** The query as `matchesQuery` compares it, lower-cased. */
  private readonly lowerQuery: string;
  private readonly queryBytes: Buffer;
  /** The lower-cased query, ignoring case, for ASCII text. */
  private readonly queryPattern: RegExp;
  /** Every case variant of the lower-cased query's first (up to 3) characters, when ASCII. */
  private readonly anchors: Buffer[];
  /** The query could be part of a row number's `#123` (only `#` and digits): checked per line. */
  private readonly numberLike: boolean;

  constructor(filter: ExchangeFilter) {
    this.type = filter.eventType === null ? null : Buffer.from(`"${filter.eventType}"`);
    this.verdictNeedles =
      filter.verdict === "invalid"
        ? [Buffer.from('"valid":false')]
        : filter.verdict === "rejected"
          ? [Buffer.from('"rejected":true'), Buffer.from('"aborted":true')]
          : filter.verdict === "forward failed"
            ? [Buffer.from('"forward":{')]
            : null;
    this.query = filter.query;
    this.lowerQuery = this.query.toLowerCase();
    this.numberLike = /^#?\d*$/.test(this.lowerQuery);
    this.queryBytes = Buffer.from(this.query);
    this.queryPattern = new RegExp(escapeRegExp(this.lowerQuery), "i");
    // Lower-casing can make ASCII of other letters (the Kelvin sign K is k): the lower case decides.
    this.anchors = /^[\x20-\x7e]+$/.test(this.lowerQuery)
      ? caseVariants(this.lowerQuery.slice(0, 3)).map((v) => Buffer.from(v))
      : [];
  }

  /** Could this line (its bytes, without the line break), the file's line `seq`, match? */
  may(line: Buffer, seq: number): boolean {
    if (this.type || this.verdictNeedles) {
      // Without the recorded verdict, it is worked out from the body when shown.
      const recorded = line.includes(VALIDATION_FIELD);
      if (recorded && this.type && !line.includes(this.type)) return false;
      if (recorded && this.verdictNeedles && !this.verdictNeedles.some((n) => line.includes(n))) {
        return false;
      }
    }
    return this.query === "" || this.queryMay(line, seq);
  }

  private queryMay(line: Buffer, seq: number): boolean {
    if (this.numberLike && `#${seq}`.includes(this.lowerQuery)) return true;
    if (line.includes(this.queryBytes) || line.indexOf(BACKSLASH) !== -1) return true;
    if (line.includes(BASE64_FIELD)) return true;
    if (isAscii(line)) return this.queryPattern.test(line.toString("latin1"));
    return line.toString("utf8").toLowerCase().includes(this.lowerQuery);
  }

  /**
   * The lines of a block that could match, by index (`seqOf(i)`: line i's number in the file):
   * the block is searched as a whole for the most telling field (when it is ASCII), and `may`
   * checks the rest on those lines alone.
   */
  candidates(lines: LineBlock, seqOf: (i: number) => number): number[] {
    const all = Array.from({ length: lines.count }, (_, i) => i);
    const marked =
      this.query !== "" && !isAscii(lines.block) ? all : this.marked(lines, seqOf, all);
    return marked.filter((i) => this.may(lineOf(lines, i), seqOf(i)));
  }

  /** The lines the block-wide search marks as worth a look. */
  private marked(lines: LineBlock, seqOf: (i: number) => number, all: number[]): number[] {
    const hit = new Uint8Array(lines.count);
    if (this.query !== "") this.markQuery(lines, seqOf, all, hit);
    else if (this.type || this.verdictNeedles) this.markVerdict(lines, all, hit);
    else hit.fill(1);
    return all.filter((i) => hit[i] === 1);
  }

  /**
   * ASCII text holds an ASCII query, ignoring case, only where it holds one of the case variants
   * of its first characters (a non-ASCII query: nowhere but escaped or base64).
   */
  private markQuery(
    lines: LineBlock,
    seqOf: (i: number) => number,
    all: number[],
    hit: Uint8Array,
  ): void {
    for (const needle of [...this.anchors, BACKSLASH, BASE64_FIELD]) markLines(lines, needle, hit);
    if (!this.numberLike) return;
    for (const i of all) if (`#${seqOf(i)}`.includes(this.lowerQuery)) hit[i] = 1;
  }

  /** The event type or verdict in the line; lines without a recorded verdict are candidates. */
  private markVerdict(lines: LineBlock, all: number[], hit: Uint8Array): void {
    for (const needle of this.type ? [this.type] : (this.verdictNeedles ?? [])) {
      markLines(lines, needle, hit);
    }
    // Without the recorded verdict, it is worked out when shown.
    const recorded = new Uint8Array(lines.count);
    markLines(lines, VALIDATION_FIELD, recorded);
    for (const i of all) if (recorded[i] === 0) hit[i] = 1;
  }
}

/** Marks in `into` each line of the block that holds `needle`. */
function markLines(
  { block, offsets, count }: LineBlock,
  needle: Buffer | number,
  into: Uint8Array,
): void {
  for (let at = block.indexOf(needle); at !== -1; at = block.indexOf(needle, at + 1)) {
    // The line holding byte `at`: the last that starts at or before it.
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((offsets[mid * 2] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    into[lo] = 1;
  }
}

/** `ab` → `ab`, `aB`, `Ab`, `AB`. */
function caseVariants(text: string): string[] {
  let out = [""];
  for (const ch of text) {
    const both = new Set([ch.toLowerCase(), ch.toUpperCase()]);
    out = out.flatMap((prefix) => [...both].map((c) => prefix + c));
  }
  return out;
}

/**
 * A check on a recorded line's bytes that no line holding a matching event fails (for a search
 * through a large recording): the text of each clause that can only match as written (a string,
 * `true`, `false`, `null`) must be in the line, unless the line holds escaped text (a `\`) or
 * a base64 body.
 * Numbers, objects and arrays can be written in other ways: they are not checked here.
 */
export function whereLineCheck(clauses: readonly WhereClause[]): (line: Buffer) => boolean {
  const needles: Buffer[] = [];
  for (const c of clauses) {
    if (c.json !== undefined && /^(true|false|null)$/.test(c.json)) {
      // `= true` matches the literal (or the string " true", which holds it too).
      needles.push(Buffer.from(c.json));
    } else if (
      c.raw !== "" &&
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are escaped in JSON
      !/["\\\u0000-\u001f]/.test(c.raw) &&
      (c.json === undefined || c.json.startsWith('"'))
    ) {
      needles.push(Buffer.from(c.raw));
    }
  }
  if (needles.length === 0) return () => true;
  return (line) =>
    line.indexOf(92) !== -1 ||
    line.includes(BASE64_FIELD) ||
    needles.every((n) => line.includes(n));
}

/** `LineMatcher.may` for one line (the file's line `seq`). */
export function lineMayMatch(line: Buffer, filter: ExchangeFilter, seq = 0): boolean {
  return new LineMatcher(filter).may(line, seq);
}
