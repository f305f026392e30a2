import { createHmac } from "node:crypto";

/**
 * A signature check written independently of src/: the header's t= when "t=…,s=…" holds the
 * HMAC-SHA256 of "<t>.<body>" with the secret, false otherwise.
 */
export function signedAt(body: Buffer, header: unknown, secret: string): number | false {
  const m = /^t=(\d+),s=([0-9a-f]{64})$/.exec(String(header));
  if (!m) return false;
  const expected = createHmac("sha256", secret).update(`${m[1]}.`).update(body).digest("hex");
  return expected === m[2] ? Number(m[1]) : false;
}
