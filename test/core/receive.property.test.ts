import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { receive } from "../../src/core/receiving/receive.js";
import { sign } from "../../src/core/signing/signature.js";

const STATUS_MAP = new Set([200, 400, 401, 404, 405, 413, 415, 422]);

const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const headers = fc.dictionary(
  headerName,
  fc.oneof(fc.string(), fc.constant("application/json"), fc.constant("t=1,s=ab")),
);
const request = fc.record({
  method: fc.constantFrom("POST", "GET", "PUT", "DELETE", "PATCH", "X"),
  url: fc.oneof(
    fc.constant("/"),
    fc.string().map((s) => `/${s}`),
  ),
  headers,
  body: fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.json().map((s) => Buffer.from(s)),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v))),
  ),
});

describe("receive() on random input", () => {
  it("always answers from the status map with a JSON body, never throws", () => {
    fc.assert(
      fc.property(request, fc.boolean(), fc.boolean(), (req, withSecret, strict) => {
        const verdict = receive(
          req,
          { secret: withSecret ? "s" : undefined, rejectInvalid: strict, maxBody: 200 },
          1700000000,
        );
        expect(STATUS_MAP.has(verdict.status)).toBe(true);
        expect(() => JSON.parse(verdict.responseBody)).not.toThrow();
        if (verdict.rejected)
          expect(JSON.parse(verdict.responseBody).error).toEqual(expect.any(String));
      }),
      { numRuns: 500 },
    );
  });

  it("a correctly signed JSON body is never answered 401", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const body = Buffer.from(JSON.stringify(value));
        const verdict = receive(
          {
            method: "POST",
            url: "/",
            headers: {
              "content-type": "application/json",
              "x-signature": sign("s", body, 1700000000),
            },
            body,
          },
          { secret: "s" },
          1700000000,
        );
        expect(verdict.signature.status).toBe("valid");
        expect(verdict.status).not.toBe(401);
      }),
      { numRuns: 200 },
    );
  });
});
