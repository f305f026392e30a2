import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpResponse, HttpSender } from "../../src/core/delivery/http-client.js";
import { createHttpSender } from "../../src/io/http-sender.js";
import { HostileServer } from "../helpers/hostile-server.js";

// The sender (undici's Pool.dispatch() with reused handlers: twice the rate of its request() and a
// stream, measured by `npm run bench`) answers as the plain model below says, for any answer a
// receiver may give: status, headers, duplicate headers, bodies around the 64 KiB kept, multi-byte
// text cut anywhere, any chunking.

interface Answer {
  status: number;
  headers: Array<[string, string]>;
  chunks: Buffer[];
}

let answer: Answer = { status: 200, headers: [], chunks: [] };
let server: HostileServer;
let sender: HttpSender;

beforeAll(async () => {
  server = await new HostileServer((_req, res) => {
    const raw: string[] = [];
    for (const [name, value] of answer.headers) raw.push(name, value);
    res.writeHead(answer.status, raw);
    const chunks = [...answer.chunks];
    const next = () => {
      const chunk = chunks.shift();
      if (chunk === undefined) res.end();
      else res.write(chunk, next);
    };
    next();
  }).start();
  sender = createHttpSender({ origin: server.origin, timeoutMs: 5000, connections: 2 });
});
afterAll(async () => {
  await sender.close();
  await server.stop();
});

const KEEP = 64 * 1024;

/**
 * What the sender must answer, the plain way: the status; the headers the receiver set, names in
 * lower case, a repeated one as a list in order; of the body (none for a 204 or 304) the first 64 KiB as UTF-8, without a
 * character whose bytes were cut off at the end.
 */
function expected(a: Answer) {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of a.headers) {
    const key = name.toLowerCase();
    const seen = headers[key];
    headers[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  // node:http sends no body with a 204 or a 304.
  const bytes = a.status === 204 || a.status === 304 ? Buffer.alloc(0) : Buffer.concat(a.chunks);
  const kept = bytes.subarray(0, KEEP);
  const body =
    bytes.length > KEEP
      ? new TextDecoder().decode(kept, { stream: true })
      : new TextDecoder().decode(kept);
  return { status: a.status, headers, body };
}

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("é", "€", "😀", "中", "x"),
);
const body = fc
  .tuple(fc.array(text, { maxLength: 30 }), fc.nat({ max: 140 * 1024 }), text)
  .map(([parts, padding, tail]) => Buffer.from(`${parts.join("")}${"a".repeat(padding)}${tail}`));
const answers = fc.record({
  status: fc.oneof(
    fc.constantFrom(200, 201, 202, 400, 401, 429, 500, 503),
    fc.integer({ min: 200, max: 599 }),
  ),
  headers: fc.array(
    fc.tuple(
      fc.constantFrom("x-one", "X-Two", "retry-after", "set-cookie", "x-one"),
      fc.stringMatching(/^[ -~]{0,20}$/).map((s) => s.trim()),
    ),
    { maxLength: 6 },
  ),
  body,
  cuts: fc.array(fc.nat(), { maxLength: 6 }),
});

/** The answer, with only the headers the receiver set (node:http adds date, connection, …). */
const shape = (r: HttpResponse, names: ReadonlySet<string>) => ({
  status: r.status,
  body: r.body,
  headers: Object.fromEntries(Object.entries(r.headers).filter(([name]) => names.has(name))),
});

describe("the sender against the plain model", () => {
  it("gives the same status, headers and kept body for any answer", async () => {
    await fc.assert(
      fc.asyncProperty(answers, async ({ status, headers, body: bytes, cuts }) => {
        const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let from = 0;
        for (const cut of [...at, bytes.length]) {
          if (cut > from) chunks.push(bytes.subarray(from, cut));
          from = cut;
        }
        answer = { status, headers, chunks };
        const got = await sender.post("/p", { "content-type": "application/json" }, "{}");
        const names = new Set(headers.map(([name]) => name.toLowerCase()));
        expect(shape(got, names)).toEqual(expected(answer));
        expect(Buffer.byteLength(got.body)).toBeLessThanOrEqual(KEEP);
      }),
      { numRuns: 60 },
    );
  });
});
