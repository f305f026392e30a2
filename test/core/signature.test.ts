import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  computeSignature,
  maskSecret,
  parseSignatureHeader,
  sign,
  verify,
} from "../../src/core/signing/signature.js";
import { PAYLOADS } from "../helpers/cli.js";

// Known answers computed independently with OpenSSL:
//   printf '%s' '1700000000.{"hello":"world"}' | openssl dgst -sha256 -hmac whsec_test
//   printf '1700000000.' | cat - payloads/whitelabel-ticket-created.json | openssl dgst -sha256 -hmac abc
const KNOWN_SMALL = "f592bbf3951cfc94e560eecfb5d9dd4da6b0fff2e626235f8ab4b54860925d0b";
const KNOWN_CREATED = "e9e4044eaec335d6c75ca16b0075232be5c8588fd4055bbf3520863543bd9077";

describe("sign", () => {
  it("matches OpenSSL for a small body", () => {
    expect(computeSignature("whsec_test", 1700000000, '{"hello":"world"}')).toBe(KNOWN_SMALL);
    expect(sign("whsec_test", '{"hello":"world"}', 1700000000)).toBe(
      `t=1700000000,s=${KNOWN_SMALL}`,
    );
  });

  it("signs the exact bytes of a file", () => {
    const bytes = readFileSync(join(PAYLOADS, "whitelabel-ticket-created.json"));
    expect(sign("abc", bytes, 1700000000)).toBe(`t=1700000000,s=${KNOWN_CREATED}`);
  });
});

describe("verify", () => {
  const body = '{"hello":"world"}';
  const good = `t=1700000000,s=${KNOWN_SMALL}`;
  const at = { now: 1700000000 };

  it("accepts a valid signature", () => {
    expect(verify("whsec_test", body, good, at)).toEqual({ ok: true, timestamp: 1700000000 });
  });

  it("accepts several s= entries when one matches (key rotation)", () => {
    const header = `t=1700000000,s=${"0".repeat(64)},s=${KNOWN_SMALL}`;
    expect(verify("whsec_test", body, header, at).ok).toBe(true);
  });

  it.each([
    ["garbage", "malformed_header"],
    ["t=abc,s=00", "malformed_header"],
    [`s=${KNOWN_SMALL}`, "missing_timestamp"],
    ["t=1700000000", "missing_signature"],
  ])("rejects %s as %s", (header, reason) => {
    const result = verify("whsec_test", body, header, at);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe(reason);
  });

  it("rejects a timestamp older than the tolerance", () => {
    const result = verify("whsec_test", body, good, { now: 1700000000 + 301 });
    expect(result).toMatchObject({ ok: false, reason: "timestamp_too_old" });
    expect(!result.ok && result.message).toContain("301s ago");
  });

  it("rejects a timestamp too far in the future", () => {
    const result = verify("whsec_test", body, good, { now: 1700000000 - 301 });
    expect(result).toMatchObject({ ok: false, reason: "timestamp_in_future" });
  });

  it("accepts any age with tolerance 0", () => {
    expect(verify("whsec_test", body, good, { now: 1800000000, tolerance: 0 }).ok).toBe(true);
  });

  it("rejects another secret and a changed body", () => {
    expect(verify("other", body, good, at)).toMatchObject({ reason: "no_matching_signature" });
    expect(verify("whsec_test", `${body} `, good, at)).toMatchObject({
      reason: "no_matching_signature",
    });
  });

  it.each([
    ["one hex byte too many", `${KNOWN_SMALL}00`],
    ["a non-hex character inside", `${KNOWN_SMALL.slice(0, 10)}x${KNOWN_SMALL.slice(11)}`],
    ["one byte short", KNOWN_SMALL.slice(0, 62)],
    ["empty", ""],
  ])("rejects a signature that is %s", (_, s) => {
    expect(verify("whsec_test", body, `t=1700000000,s=${s}`, at)).toMatchObject({
      reason: "malformed_header",
    });
    // A bad candidate leaves nothing behind for the next one.
    expect(verify("whsec_test", body, `t=1700000000,s=${s},s=${KNOWN_SMALL}`, at).ok).toBe(true);
  });

  it("masks secrets", () => {
    expect(maskSecret("whsec_abcdefghijkl")).toBe("wh****kl");
    expect(maskSecret("abc")).toBe("****");
    expect(maskSecret("whsec_abcdefghijkl")).not.toContain("abcdefghijkl");
  });
});

describe("parseSignatureHeader", () => {
  // The plain reading of the format, as a reference for the hand-written scanner.
  const reference = (value: string) => {
    let timestamp: string | undefined;
    const signatures: string[] = [];
    for (const part of value.split(",").map((p) => p.trim())) {
      const eq = part.indexOf("=");
      if (eq <= 0) return undefined;
      if (part.slice(0, eq) === "t") timestamp = part.slice(eq + 1);
      else if (part.slice(0, eq) === "s") signatures.push(part.slice(eq + 1));
    }
    return { timestamp, signatures };
  };

  it("reads t= and every s=, and refuses anything that is not key=value pairs", () => {
    expect(parseSignatureHeader("t=1, s=ab ,s=cd")).toEqual({
      timestamp: "1",
      signatures: ["ab", "cd"],
    });
    expect(parseSignatureHeader("t=1,")).toBeUndefined();
    expect(parseSignatureHeader("")).toBeUndefined();
    const piece = fc.constantFrom("t", "s", "=", ",", " ", "1", "ab", "x=");
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }).map((p) => p.join("")),
        (value) => {
          expect(parseSignatureHeader(value)).toEqual(reference(value));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
