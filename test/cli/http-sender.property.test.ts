import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpResponse, HttpSender } from "../../src/core/delivery/http-client.js";
import { createHttpSender } from "../../src/io/http-sender.js";
import { createPlainHttpSender } from "../../src/io/http-sender-plain.js";
import { HostileServer } from "../helpers/hostile-server.js";

// The fast sender (undici dispatch(), reused handlers) answers exactly as the plain reference
// (undici request(), a stream, an AbortSignal) for any answer a receiver may give: status, headers,
// duplicate headers, bodies around the 64 KiB kept, multi-byte text cut anywhere, any chunking.

interface Answer {
  status: number;
  headers: Array<[string, string]>;
  chunks: Buffer[];
}

let answer: Answer = { status: 200, headers: [], chunks: [] };
let server: HostileServer;
let fast: HttpSender;
let plain: HttpSender;

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
  fast = createHttpSender({ origin: server.origin, timeoutMs: 5000, connections: 2 });
  plain = createPlainHttpSender({ origin: server.origin, timeoutMs: 5000, connections: 2 });
});
afterAll(async () => {
  await fast.close();
  await plain.close();
  await server.stop();
});

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

const shape = (r: HttpResponse) => ({
  status: r.status,
  body: r.body,
  headers: Object.fromEntries(
    Object.entries(r.headers).filter(
      ([name]) => !["date", "connection", "keep-alive"].includes(name),
    ),
  ),
});

describe("the fast sender against the plain reference", () => {
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
        const a = await fast.post("/p", { "content-type": "application/json" }, "{}");
        const b = await plain.post("/p", { "content-type": "application/json" }, "{}");
        expect(shape(a)).toEqual(shape(b));
        expect(Buffer.byteLength(a.body)).toBeLessThanOrEqual(64 * 1024);
      }),
      { numRuns: 60 },
    );
  });
});
