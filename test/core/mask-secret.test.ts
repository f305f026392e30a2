import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskSecret } from "../../src/core/signing/signature.js";

/** How many of the secret's characters the mask shows (the mask's own * aside). */
const shown = (mask: string) => mask.replaceAll("*", "").length;

describe("maskSecret", () => {
  it("shows none of a 9-character secret (it showed 5)", () => {
    expect(maskSecret("whsec_abc")).toBe("****");
    expect(shown(maskSecret("whsec_abc"))).toBe(0);
  });

  it("shows at most 4 characters, and none of a secret shorter than 12", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."abcdef0123_") }), (secret) => {
        const mask = maskSecret(secret);
        expect(shown(mask)).toBeLessThanOrEqual(4);
        if (secret.length < 12) expect(shown(mask)).toBe(0);
        // Never most of it: at least 8 characters stay hidden once any is shown.
        if (shown(mask) > 0) expect(secret.length - shown(mask)).toBeGreaterThanOrEqual(8);
      }),
    );
    expect(maskSecret("whsec_0123456789")).toBe("wh****89");
  });
});
