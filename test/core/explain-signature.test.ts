// A signature that does not verify, explained: each classic signing mistake, made with the
// listener's own secret, is named; a signature made with another secret is not explained.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { explainSignature } from "../../src/core/signing/explain.js";

const SECRET = "whsec_explain_0123456789";
const BODY = Buffer.from('{"event_type": "whitelabel-ticket-created", "n": 1}');
const T = 1_800_000_000;
const hmac = (key: string | Buffer, text: string | Buffer) =>
  createHmac("sha256", key).update(text);

describe("explainSignature", () => {
  const cases: Array<[string, string]> = [
    ["signed-string", `t=${T},s=${hmac(SECRET, BODY).digest("hex")}`],
    [
      "signed-string",
      `t=${T},s=${hmac(SECRET, Buffer.concat([Buffer.from(String(T)), BODY])).digest("hex")}`,
    ],
    [
      "reserialized-body",
      `t=${T},s=${hmac(SECRET, `${T}.${JSON.stringify(JSON.parse(BODY.toString()))}`).digest("hex")}`,
    ],
    [
      "secret-encoding",
      `t=${T},s=${hmac(SECRET.slice(6), Buffer.concat([Buffer.from(`${T}.`), BODY])).digest("hex")}`,
    ],
    [
      "digest-encoding",
      `t=${T},s=${hmac(SECRET, Buffer.concat([Buffer.from(`${T}.`), BODY])).digest("base64")}`,
    ],
    ["timestamp-unit", `t=${T}123,s=${"a".repeat(64)}`],
  ];
  it.each(cases)("names %s", (id, header) => {
    expect(explainSignature(SECRET, header, BODY, T)?.id).toBe(id);
  });

  it("does not explain a signature made with another secret, or a header that is no signature", () => {
    const other = `t=${T},s=${hmac("whsec_other_999999", Buffer.concat([Buffer.from(`${T}.`), BODY])).digest("hex")}`;
    expect(explainSignature(SECRET, other, BODY, T)).toBeNull();
    expect(explainSignature(SECRET, "nonsense", BODY, T)).toBeNull();
  });
});
