import { hmacSha256 } from "../signing/signature.js";

// The signature doctor's discriminating probes: each signs a valid event the way one classic
// receiver bug verifies it. A receiver that rejects the correct signature but accepts exactly one
// of these names its bug. All HMACs come from signing/signature.ts.

export const DIAGNOSIS_IDS = [
  "header-name",
  "signed-string",
  "reserialized-body",
  "partial-digest",
  "key-rotation",
  "timestamp-unit",
  "digest-encoding",
  "secret-encoding",
  "clock-skew",
  "tolerance",
] as const;

export type DiagnosisId = (typeof DIAGNOSIS_IDS)[number];

/** How one probe signs: the header it uses and its value for a body signed at `t` (seconds). */
export interface Recipe {
  header: string;
  value(body: string, t: number): string;
  /** What this recipe does differently, for the evidence. */
  label: string;
}

export interface Variant {
  id: DiagnosisId;
  recipe: Recipe;
  fix: string;
}

/** Header names receivers commonly read the signature from. */
export const COMMON_SIGNATURE_HEADERS = [
  "X-Signature",
  "Signature",
  "X-Webhook-Signature",
  "X-Tamio-Signature",
  "Tamio-Signature",
  "X-Plugnpaid-Signature",
] as const;

const hex = (digest: Buffer) => digest.toString("hex");

/** The documented recipe: `t=<seconds>,s=<hex HMAC of "<t>.<body>">` in the configured header. */
export function standardRecipe(secret: string, header: string): Recipe {
  return {
    header,
    label: `signed as documented in ${header}`,
    value: (body, t) => `t=${t},s=${hex(hmacSha256(secret, `${t}.`, body))}`,
  };
}

function variant(
  id: DiagnosisId,
  header: string,
  label: string,
  value: Recipe["value"],
  fix: string,
): Variant {
  return { id, recipe: { header, label, value }, fix };
}

const signedHex = (key: string | Buffer, t: number, body: string) =>
  hex(hmacSha256(key, `${t}.`, body));

/** The same signature in each other header a receiver may read. */
function headerVariants(secret: string, header: string): Variant[] {
  return COMMON_SIGNATURE_HEADERS.filter((name) => name.toLowerCase() !== header.toLowerCase()).map(
    (name) =>
      variant(
        "header-name",
        name,
        `the same signature in the header ${name}`,
        (body, t) => `t=${t},s=${signedHex(secret, t, body)}`,
        `Your receiver reads the signature from ${name}, but it is sent in ${header}. Make them agree: read ${header}, or pass --signature-header ${name} to ticket-hooks (the platform does not publish the name).`,
      ),
  );
}

/** Other strings signed than "<t>.<body>", t= in milliseconds, the digest encoded otherwise. */
function recipeVariants(secret: string, header: string): Variant[] {
  const signedString = (label: string, parts: (t: number) => string) =>
    variant(
      "signed-string",
      header,
      label,
      (body, t) => `t=${t},s=${hex(hmacSha256(secret, parts(t), body))}`,
      'Compute the HMAC over "<t>.<raw body>": the timestamp from t=, a dot, then the exact body bytes.',
    );
  const digest = (label: string, encode: (d: Buffer) => string) =>
    variant(
      "digest-encoding",
      header,
      label,
      (body, t) => `t=${t},s=${encode(hmacSha256(secret, `${t}.`, body))}`,
      "s= is the lower-case hex digest: use digest('hex') and compare bytes (Buffer.from(s, 'hex')).",
    );
  return [
    signedString("the HMAC of the body alone (no <t>.)", () => ""),
    signedString('the HMAC of "<t>:<body>"', (t) => `${t}:`),
    signedString('the HMAC of "<t><body>" (no separator)', (t) => `${t}`),
    variant(
      "timestamp-unit",
      header,
      "t= in milliseconds (and signed with it)",
      (body, t) => `t=${t * 1000},s=${signedHex(secret, t * 1000, body)}`,
      "t= is in Unix seconds: compare it with Math.floor(Date.now() / 1000), not Date.now().",
    ),
    digest("the digest in base64", (d) => d.toString("base64")),
    digest("the digest in upper-case hex", (d) => hex(d).toUpperCase()),
  ];
}

/** The secret with its prefix added or removed, or base64-decoded. */
function secretVariants(secret: string, header: string): Variant[] {
  const keyed = (label: string, key: string | Buffer) =>
    variant(
      "secret-encoding",
      header,
      label,
      (body, t) => `t=${t},s=${signedHex(key, t, body)}`,
      "Use the secret exactly as shown for the endpoint, as UTF-8 bytes: do not base64-decode it or add or strip a prefix.",
    );
  const variants: Variant[] = [];
  const prefix = "whsec_";
  if (secret.startsWith(prefix)) {
    variants.push(keyed(`the secret without its ${prefix} prefix`, secret.slice(prefix.length)));
    const decoded = Buffer.from(secret.slice(prefix.length), "base64");
    if (decoded.length > 0)
      variants.push(keyed(`the secret after ${prefix}, base64-decoded`, decoded));
  } else {
    variants.push(keyed(`the secret with a ${prefix} prefix`, `${prefix}${secret}`));
  }
  const decoded = Buffer.from(secret, "base64");
  if (decoded.length > 0) variants.push(keyed("the secret base64-decoded", decoded));
  return variants;
}

/** One probe per known bug, each differing from the documented recipe in one thing. */
export function bugVariants(secret: string, header: string): Variant[] {
  return [
    ...headerVariants(secret, header),
    ...recipeVariants(secret, header),
    ...secretVariants(secret, header),
  ];
}

/**
 * Offsets (seconds) to try when even a correct signature is refused: a clock off by more than the
 * tolerance. Steps of 450 s (narrower than a 600 s window) up to an hour, then half hours (time
 * zone mistakes) up to 14 hours, then a day.
 */
export const SKEW_OFFSETS: readonly number[] = (() => {
  const steps = [450, 900, 1350, 1800, 2250, 2700, 3150];
  for (let k = 2; k <= 28; k++) steps.push(k * 1800);
  steps.push(86_400);
  return steps.flatMap((s) => [s, -s]);
})();
