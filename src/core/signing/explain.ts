import { tryParseJson } from "../json.js";
import { hmacSha256, parseSignatureHeader } from "./signature.js";

/*
 * Why a request's signature did not verify, when the sender made one of the classic signing
 * mistakes: each is tried with the listener's own secret, and the one that reproduces a digest of
 * the header names the mistake. The other side of `doctor`, which finds the classic verifying
 * mistakes of a receiver.
 */

export interface SignatureExplanation {
  /** A stable name (as doctor's diagnoses have). */
  id:
    | "signed-string"
    | "reserialized-body"
    | "secret-encoding"
    | "digest-encoding"
    | "timestamp-unit";
  /** What the sender did, and what to do instead. */
  text: string;
}

type Mistake = {
  id: SignatureExplanation["id"];
  text: string;
  /** The digest the mistaken sender would have put in `s=`, as written. */
  digest: (secret: string, t: string, body: Buffer) => string | null;
};

const hex = (b: Buffer) => b.toString("hex");

const MISTAKES: readonly Mistake[] = [
  {
    id: "signed-string",
    text: 'the sender signed the body alone; the signed string is "<t>.<body>" (the timestamp, a dot, then the raw body)',
    digest: (secret, _t, body) => hex(hmacSha256(secret, body)),
  },
  {
    id: "signed-string",
    text: 'the sender signed "<t><body>" without the dot between the timestamp and the body',
    digest: (secret, t, body) => hex(hmacSha256(secret, t, body)),
  },
  {
    id: "reserialized-body",
    text: "the sender signed the JSON serialized again (other spaces or key order) and sent other bytes: sign the exact bytes that are sent",
    digest: (secret, t, body) => {
      const parsed = tryParseJson(body.toString("utf8"));
      return parsed.ok ? hex(hmacSha256(secret, `${t}.`, JSON.stringify(parsed.value))) : null;
    },
  },
  {
    id: "secret-encoding",
    text: 'the sender used the secret without its "whsec_" prefix: the whole string is the key',
    digest: (secret, t, body) =>
      secret.startsWith("whsec_") ? hex(hmacSha256(secret.slice(6), `${t}.`, body)) : null,
  },
  {
    id: "secret-encoding",
    text: "the sender base64-decoded the secret and used the bytes as the key: the key is the secret's text as it is",
    digest: (secret, t, body) => {
      const rest = secret.replace(/^whsec_/, "");
      return /^[A-Za-z0-9+/]+={0,2}$/.test(rest) && rest.length % 4 === 0
        ? hex(hmacSha256(Buffer.from(rest, "base64"), `${t}.`, body))
        : null;
    },
  },
  {
    id: "digest-encoding",
    text: "the sender wrote the digest in base64: s= is the HMAC-SHA256 in hex (64 characters)",
    digest: (secret, t, body) => hmacSha256(secret, `${t}.`, body).toString("base64"),
  },
];

/** The sender's mistake that explains `header` for `body`, or null when none does. */
export function explainSignature(
  secret: string,
  header: string,
  body: Buffer,
  nowSeconds: number,
): SignatureExplanation | null {
  const parsed = parseSignatureHeader(header);
  if (!parsed?.timestamp) return null;
  const t = parsed.timestamp;
  // Milliseconds read as seconds land far in the future.
  if (/^\d{13}$/.test(t) && Math.abs(Number(t) / 1000 - nowSeconds) < 24 * 3600) {
    return {
      id: "timestamp-unit",
      text: "t= is in milliseconds: it is Unix seconds (10 digits)",
    };
  }
  const given = new Set(parsed.signatures);
  for (const mistake of MISTAKES) {
    const digest = mistake.digest(secret, t, body);
    if (digest !== null && (given.has(digest) || given.has(digest.toUpperCase()))) {
      return { id: mistake.id, text: mistake.text };
    }
  }
  return null;
}
