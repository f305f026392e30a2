import { isAscii } from "node:buffer";
import type { ExchangeFilter } from "./exchange-query.js";
import { type LineBlock, lineOf } from "./recording-index.js";

/*
 * Which recorded lines could hold an exchange a filter shows, judged on their bytes, so a search
 * over millions of lines parses just the candidates. Never a false "no": everything the filter
 * looks at (event type, verdict fields, title, ids, body) is in a line's bytes, except text the
 * line holds escaped (a `\` anywhere) or base64, and such lines are always candidates. A block of
 * lines that is all ASCII is searched as one string; other lines one by one.
 */

const BACKSLASH = 92;
const BASE64_FIELD = '"body_encoding":"base64"';
const BASE64_FIELD_BYTES = Buffer.from(BASE64_FIELD);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export class LineMatcher {
  private readonly type: Buffer | null;
  /** The line must hold one of these (the verdict filter's fields). */
  private readonly verdictNeedles: Buffer[] | null;
  private readonly query: string;
  private readonly lowerQuery: string;
  private readonly queryBytes: Buffer;
  /** The query, ignoring case, for ASCII text. */
  private readonly queryPattern: RegExp;
  /** Every case variant of the query's first (up to 3) characters, when it is ASCII. */
  private readonly anchors: Buffer[];

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
    // `#12` matches sequence numbers, which lines do not hold: no byte check.
    this.query = filter.query.startsWith("#") ? "" : filter.query;
    this.lowerQuery = this.query.toLowerCase();
    this.queryBytes = Buffer.from(this.query);
    this.queryPattern = new RegExp(escapeRegExp(this.query), "i");
    this.anchors = /^[\x20-\x7e]+$/.test(this.query)
      ? caseVariants(this.query.slice(0, 3)).map((v) => Buffer.from(v))
      : [];
  }

  /** Could this line (its bytes, without the line break) match? */
  may(line: Buffer): boolean {
    if (this.type && !line.includes(this.type)) return false;
    if (this.verdictNeedles && !this.verdictNeedles.some((n) => line.includes(n))) return false;
    if (this.query === "") return true;
    if (line.includes(this.queryBytes) || line.indexOf(BACKSLASH) !== -1) return true;
    if (line.includes(BASE64_FIELD_BYTES)) return true;
    if (isAscii(line)) {
      return this.queryPattern.test(line.toString("latin1"));
    }
    return line.toString("utf8").toLowerCase().includes(this.lowerQuery);
  }

  /**
   * The lines of a block that could match, by index: the block is searched as a whole for the
   * most telling field (as text when it is ASCII, else line by line), and `may` checks the rest
   * on those lines alone.
   */
  candidates(lines: LineBlock): number[] {
    const { block, offsets, count } = lines;
    const out: number[] = [];
    const check = (i: number) => {
      if (this.may(lineOf(lines, i))) out.push(i);
    };
    if (this.query !== "" && !isAscii(block)) {
      for (let i = 0; i < count; i++) check(i);
      return out;
    }
    const hit = new Uint8Array(count);
    /** Marks the line holding byte `at` (the last that starts at or before it). */
    const mark = (at: number) => {
      let lo = 0;
      let hi = count - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if ((offsets[mid * 2] as number) <= at) lo = mid;
        else hi = mid - 1;
      }
      hit[lo] = 1;
    };
    const each = (needle: Buffer | number) => {
      for (let at = block.indexOf(needle); at !== -1; at = block.indexOf(needle, at + 1)) mark(at);
    };
    if (this.query !== "") {
      // ASCII text holds an ASCII query, ignoring case, only where it holds one of the case
      // variants of its first characters (a non-ASCII query: nowhere but escaped or base64).
      for (const anchor of this.anchors) each(anchor);
      each(BACKSLASH);
      each(BASE64_FIELD_BYTES);
    } else if (this.type) {
      each(this.type);
    } else if (this.verdictNeedles) {
      for (const needle of this.verdictNeedles) each(needle);
    } else {
      hit.fill(1);
    }
    for (let i = 0; i < count; i++) if (hit[i] === 1) check(i);
    return out;
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

/** `LineMatcher.may` for one line. */
export function lineMayMatch(line: Buffer, filter: ExchangeFilter): boolean {
  return new LineMatcher(filter).may(line);
}
