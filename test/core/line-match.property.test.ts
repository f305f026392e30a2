import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bodyMatchesWhere, parseWhere } from "../../src/core/events/where.js";
import type { Exchange } from "../../src/core/exchanges/exchange.js";
import {
  type ExchangeFilter,
  matches,
  VERDICT_FILTERS,
} from "../../src/core/exchanges/exchange-query.js";
import { receive } from "../../src/core/receiving/receive.js";
import { LineEncoder } from "../../src/core/recording/line-encoder.js";
import { LineMatcher, whereLineCheck } from "../../src/core/recording/line-match.js";
import { exchangeFromLine, headMatches } from "../../src/core/recording/recorded-line.js";
import { type LineBlock, lineOf } from "../../src/core/recording/recording-index.js";

/*
 * The byte checks that let a search skip lines must never skip one that matches: for generated
 * lines (titles with any text, escaped or not, bodies that are JSON, text or not UTF-8, every
 * verdict) and generated filters (texts taken from the line in any case, row numbers, event
 * types, verdicts, --where values), whatever matches is a candidate.
 */

const TYPES = ["created", "updated", "assigned", "resolved"].map((t) => `whitelabel-ticket-${t}`);
const TEXT = fc.string({
  unit: fc.constantFrom(...[..."abcKkÅåßé打印👩‍ #0123456789_-{}:,"], '"', "\\", "\u212a"),
  maxLength: 12,
});

interface Made {
  line: Buffer;
  exchange: Exchange;
  title: string;
}

const made = fc
  .record({
    type: fc.constantFrom(...TYPES, "other"),
    // Any text, or plain ASCII (a line then searched as ASCII text).
    title: fc.oneof(TEXT, fc.string({ unit: fc.constantFrom(..."abkKz019 _-"), maxLength: 8 })),
    escape: fc.boolean(),
    body: fc.constantFrom("json", "text", "binary"),
    secret: fc.boolean(),
    forward: fc.constantFrom(null, 200, 500, "down"),
    open: fc.boolean(),
  })
  .map((g): Made => {
    const event = {
      event_id: "whev_abc",
      event_type: g.type,
      data: { ticket: { id: "tkt_1", title: g.title, is_open: g.open } },
    };
    let text = JSON.stringify(event);
    if (g.escape)
      text = text.replace(
        /[^\x20-\x7e]/gu,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      );
    const body =
      g.body === "json"
        ? Buffer.from(text)
        : g.body === "text"
          ? Buffer.from(`note: ${g.title}`)
          : Buffer.concat([Buffer.from([0xff]), Buffer.from(text)]);
    const request = {
      method: "POST",
      url: "/",
      headers: { "content-type": "application/json" },
      body,
    };
    const verdict = receive(request, g.secret ? { secret: "s" } : {});
    const forward =
      g.forward === null
        ? null
        : {
            status: g.forward === "down" ? null : (g.forward as number),
            duration_ms: 1,
            error: g.forward === "down" ? "refused" : null,
            headers: {},
            body: "",
            body_bytes: 0,
            body_truncated: false,
          };
    const exchange: Exchange = {
      seq: 1,
      receivedAt: new Date(0),
      request,
      verdict,
      status: verdict.status,
      forward,
      aborted: false,
    };
    return { line: Buffer.from(new LineEncoder().line(exchange)), exchange, title: g.title };
  });

const filterFor = (m: Made) =>
  fc.record({
    eventType: fc.constantFrom(null, ...TYPES),
    verdict: fc.constantFrom(...VERDICT_FILTERS),
    query: fc.oneof(
      fc.constant(""),
      fc.tuple(fc.nat(), fc.nat(), fc.boolean()).map(([a, b, upper]) => {
        const chars = [...m.title];
        const from = chars.length ? a % chars.length : 0;
        const part = chars.slice(from, from + 1 + (b % 4)).join("");
        // Upper case, or the Kelvin sign for k (which lower-cases to an ASCII k).
        return upper ? part.toUpperCase() : part.replaceAll("k", "\u212a");
      }),
      fc.nat({ max: 200 }).map((n) => `${n}`),
      fc.nat({ max: 200 }).map((n) => `#${n}`),
      TEXT,
    ),
  });

function block(lines: Buffer[]): LineBlock {
  const all = Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")]));
  const offsets = new Float64Array(lines.length * 2);
  let at = 0;
  lines.forEach((l, i) => {
    offsets[i * 2] = at;
    offsets[i * 2 + 1] = at + l.length;
    at += l.length + 1;
  });
  return { block: all, offsets, count: lines.length };
}

describe("the byte checks of a search never skip a matching line", () => {
  it("LineMatcher: may and candidates keep every line that matches", () => {
    const lines = fc.array(made, { minLength: 1, maxLength: 6 });
    const cases = lines.chain((ls) =>
      fc.tuple(
        fc.constant(ls),
        fc.nat({ max: 150 }),
        fc.nat().chain((n) => filterFor(ls[n % ls.length] as Made)),
      ),
    );
    fc.assert(
      fc.property(cases, ([ls, base, filter]: [Made[], number, ExchangeFilter]) => {
        const matcher = new LineMatcher(filter);
        const seqOf = (i: number) => base + i + 1;
        const b = block(ls.map((l) => l.line));
        const candidates = new Set(matcher.candidates(b, seqOf));
        ls.forEach((l, i) => {
          const ex = exchangeFromLine(lineOf(b, i), seqOf(i));
          if (matches(ex, filter)) {
            expect(matcher.may(l.line, seqOf(i))).toBe(true);
            expect(candidates.has(i)).toBe(true);
          }
          if (filter.query === "") {
            const quick = headMatches(l.line, filter);
            if (quick !== null) expect(quick).toBe(matches(ex, filter));
          }
        });
      }),
      { numRuns: 1500 },
    );
  });

  it("whereLineCheck keeps every line whose body matches --where", () => {
    fc.assert(
      fc.property(
        made,
        fc.oneof(fc.constantFrom("true", " true", "false", "null", "tkt_1", "whev_abc"), TEXT),
        fc.constantFrom("data.ticket.is_open", "data.ticket.id", "data.ticket.title", "event_id"),
        (m, value, path) => {
          const clauses = [parseWhere(`${path}=${value}`)];
          if (bodyMatchesWhere(m.exchange.request.body, clauses)) {
            expect(whereLineCheck(clauses)(m.line)).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
