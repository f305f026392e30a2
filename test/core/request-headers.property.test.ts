import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RequestSigner, USER_AGENT } from "../../src/core/delivery/requests.js";
import { sign } from "../../src/core/signing/signature.js";

// The signer copies its headers with Object.assign and sets the signature by assignment (send's hot
// path); the reference is the plain literal. Same names, values and order, whatever the names.

const name = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "toString", "X-Signature", "content-type", "Accept"),
  fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,12}$/),
);

function reference(
  extra: [string, string][],
  signatureHeader: string,
  signature: string | null,
  { kept = false } = {},
): Record<string, string> {
  const base: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
  };
  for (const [n, v] of extra) {
    for (const key of Object.keys(base)) {
      if (key.toLowerCase() === n.toLowerCase()) delete base[key];
    }
    base[n] = v;
  }
  if (signature === null) return { ...base };
  if (!kept) return { ...base, [signatureHeader]: signature };
  // A kept signature replaces any header of that name, whatever its case.
  const without = Object.fromEntries(
    Object.entries(base).filter(([k]) => k.toLowerCase() !== signatureHeader.toLowerCase()),
  );
  return { ...without, [signatureHeader]: signature };
}

describe("the signer's headers", () => {
  it("are the plain literal's: same names, values and order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, fc.string({ maxLength: 8 })), { maxLength: 4 }),
        name,
        fc.string({ maxLength: 20 }),
        (pairs, signatureHeader, body) => {
          const headers = Object.fromEntries(pairs);
          const extra = Object.entries(headers);
          const unsigned = new RequestSigner({ headers, signatureHeader });
          const keep = Object.entries;
          expect(keep(unsigned.headers(body, 1))).toEqual(keep(reference(extra, "", null)));
          expect(keep(unsigned.headersWith("t=1,s=kept"))).toEqual(
            keep(reference(extra, signatureHeader, "t=1,s=kept", { kept: true })),
          );
          const clash = extra.some(([n]) => n.toLowerCase() === signatureHeader.toLowerCase());
          if (clash) return; // a secret and -H for the same header is a usage error
          const signed = new RequestSigner({ headers, signatureHeader, secret: "s" });
          expect(keep(signed.headers(body, 1700000000))).toEqual(
            keep(reference(extra, signatureHeader, sign("s", body, 1700000000))),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
