import { type Clock, systemClock, unixSeconds } from "../clock.js";
import { type ComposeOptions, composeEvent } from "../delivery/compose.js";
import {
  type CreateHttpSender,
  describeNetworkError,
  type HttpSender,
} from "../delivery/http-client.js";
import { RequestSigner } from "../delivery/requests.js";
import { parseTarget } from "../delivery/send.js";
import { failure } from "../errors.js";
import { type Entropy, systemEntropy } from "../events/ids.js";
import {
  DEFAULT_SIGNATURE_HEADER,
  DEFAULT_TOLERANCE_SECONDS,
  hmacSha256,
} from "../signing/signature.js";
import { KEY_ROTATION_FIX, reformat, WHOLE_DIGEST_FIX } from "./cases.js";
import {
  bugVariants,
  type DiagnosisId,
  type Recipe,
  SKEW_OFFSETS,
  standardRecipe,
} from "./doctor-variants.js";

export { DIAGNOSIS_IDS, type DiagnosisId } from "./doctor-variants.js";

export interface Diagnosis {
  id: DiagnosisId;
  /** What was sent and answered that shows it. */
  evidence: string;
  fix: string;
}

export interface DoctorOptions extends ComposeOptions {
  to: string;
  secret: string;
  signatureHeader?: string | undefined;
  timeoutMs?: number;
  insecure?: boolean;
  /** Headers sent with every probe (e.g. the Authorization a URL's `user:password@` makes). */
  headers?: Readonly<Record<string, string>> | undefined;
}

export interface DoctorDeps {
  createSender: CreateHttpSender;
  /** Our "now" for t=. Default: the system clock. */
  clock?: Clock;
  entropy?: Partial<Entropy>;
}

export interface DoctorResult {
  /** The receiver's answer to a valid event signed as documented. */
  baseline: { status: number; accepted: boolean };
  diagnoses: Diagnosis[];
  /** Valid events were rejected and no known bug explains it (null otherwise). */
  unexplained: string | null;
  /** Offsets from our clock (s) of the oldest and newest t= accepted; null: no limit found. */
  window: Window | null;
  /** Requests sent. */
  probes: number;
  /** The bugs the probes looked for (what an all-clear covers, and no more). */
  probed: readonly string[];
}

/** What the probes look for once the documented signature is accepted. */
const PROBED_WHEN_ACCEPTED = ["re-serialised body", "partial digest", "key rotation (s= order)"];
/** And once a window of accepted timestamps is measured. */
const PROBED_WINDOW = ["tolerance", "clock skew"];
/** What they look for when the documented signature is refused. */
const PROBED_WHEN_REFUSED = [
  "header name",
  "signed string",
  "timestamp unit",
  "digest and secret encoding",
];

/** Seven days: a receiver still accepting a signature this old (or ahead) has no limit. */
const FAR_SECONDS = 7 * 86_400;
/** Edges found by bisection are within a second or two (time passes between probes). */
const SLACK_SECONDS = 3;

const ok = (status: number) => status >= 200 && status < 300;

/** The doctor's probes: the same valid event, signed by a recipe at now + an offset. */
class Prober {
  probes = 0;
  private readonly base: Record<string, string>;

  constructor(
    headers: Readonly<Record<string, string>> | undefined,
    private readonly sender: HttpSender,
    private readonly url: URL,
    private readonly timeoutMs: number,
    private readonly clock: Clock,
    private readonly event: Record<string, unknown>,
    private readonly entropy: Entropy,
  ) {
    this.base = new RequestSigner(headers ? { headers } : {}).headersWith(null);
  }

  /** The event as compact JSON in template order, with a fresh event_id. */
  compact(): string {
    return JSON.stringify({ ...this.event, event_id: this.entropy.eventId() });
  }

  /** The event pretty-printed with another key order, with a fresh event_id. */
  pretty(): string {
    return reformat({ ...this.event, event_id: this.entropy.eventId() });
  }

  /** Sends one probe signed with `recipe` at now + offset; the receiver's status. */
  async post(recipe: Recipe, offset = 0, body = this.compact()): Promise<number> {
    this.probes++;
    const t = unixSeconds(this.clock) + offset;
    try {
      const headers = { ...this.base, [recipe.header]: recipe.value(body, t) };
      return (await this.sender.post(`${this.url.pathname}${this.url.search}`, headers, body))
        .status;
    } catch (error) {
      const cause = describeNetworkError(error, {
        host: this.url.host,
        timeoutMs: this.timeoutMs,
      }).message;
      throw failure("DOCTOR_UNREACHABLE", `doctor: ${cause}`);
    }
  }

  async accepts(recipe: Recipe, offset = 0): Promise<boolean> {
    return ok(await this.post(recipe, offset));
  }
}

/** A recipe (and offset) the receiver accepts. */
type Working = { recipe: Recipe; offset: number };

/**
 * The documented signature was accepted: does a re-formatted body fail (a re-serialised body)?
 * Does an empty or cut digest pass (a prefix comparison)?
 */
async function whenAccepted(
  prober: Prober,
  standard: Recipe,
  status: number,
  secret: string,
): Promise<Diagnosis[]> {
  const diagnoses: Diagnosis[] = [];
  const pretty = await prober.post(standard, 0, prober.pretty());
  if (!ok(pretty)) {
    diagnoses.push({
      id: "reserialized-body",
      evidence: `accepted compact JSON in template order (${status}); rejected the same event pretty-printed with other key order (${pretty}), both validly signed`,
      fix: "Verify the signature over the raw request body, before parsing: re-serialising parsed JSON changes the bytes.",
    });
  }
  const partial = await partialDigest(prober, standard);
  if (partial) diagnoses.push(partial);
  const rotation = await oneSignatureOnly(prober, standard, secret);
  if (rotation) diagnoses.push(rotation);
  return diagnoses;
}

/**
 * Two `s=` in one header, the right one second, then first (a secret rotation): a receiver that
 * keeps only the first or the last refuses one of them.
 */
async function oneSignatureOnly(
  prober: Prober,
  standard: Recipe,
  secret: string,
): Promise<Diagnosis | null> {
  for (const validFirst of [false, true]) {
    const order = validFirst ? "s=<valid>,s=<old>" : "s=<old>,s=<valid>";
    const recipe: Recipe = {
      header: standard.header,
      label: `two s= values, ${order}`,
      value: (body, t) => {
        const valid = standard.value(body, t).replace(/^t=\d+,/, "");
        const old = `s=${hmacSha256(`rotated-out-${secret}`, `${t}.`, body).toString("hex")}`;
        return `t=${t},${validFirst ? `${valid},${old}` : `${old},${valid}`}`;
      },
    };
    const answer = await prober.post(recipe);
    if (ok(answer)) continue;
    return {
      id: "key-rotation",
      evidence: `accepted one s= (the documented signature); rejected ${order} (${answer}): only the ${validFirst ? "last" : "first"} s= is read`,
      fix: KEY_ROTATION_FIX,
    };
  }
  return null;
}

/** An empty `s=`, then the digest cut to half, signed as documented otherwise. */
async function partialDigest(prober: Prober, standard: Recipe): Promise<Diagnosis | null> {
  const cuts = [
    { label: "an empty digest (t=…,s=)", keep: 0 },
    { label: "the digest cut to its first 32 hex digits", keep: 32 },
  ];
  for (const cut of cuts) {
    const recipe: Recipe = {
      header: standard.header,
      label: cut.label,
      value: (body, t) =>
        standard
          .value(body, t)
          .replace(/s=([0-9a-f]*)$/, (_m, d: string) => `s=${d.slice(0, cut.keep)}`),
    };
    const answer = await prober.post(recipe);
    if (!ok(answer)) continue;
    return {
      id: "partial-digest",
      evidence: `accepted ${cut.label} (${answer}): only a prefix of the digest is compared`,
      fix: WHOLE_DIGEST_FIX,
    };
  }
  return null;
}

/** The documented signature was refused: the first known bug whose signature is accepted. */
async function whenRefused(
  prober: Prober,
  options: DoctorOptions,
  header: string,
  status: number,
): Promise<{ diagnoses: Diagnosis[]; working: Working | undefined }> {
  for (const v of bugVariants(options.secret, header)) {
    const answer = await prober.post(v.recipe);
    if (!ok(answer)) continue;
    const evidence = `rejected the documented signature in ${header} (${status}); accepted ${v.recipe.label} (${answer})`;
    return {
      diagnoses: [{ id: v.id, evidence, fix: v.fix }],
      working: { recipe: v.recipe, offset: 0 },
    };
  }
  const standard = standardRecipe(options.secret, header);
  for (const offset of SKEW_OFFSETS) {
    if (await prober.accepts(standard, offset))
      return { diagnoses: [], working: { recipe: standard, offset } };
  }
  return { diagnoses: [], working: undefined };
}

/** Why nothing explains the rejections. */
function unexplained(status: number, probes: number): string {
  const tried = `valid, signed events were rejected (${status}) and none of the ${probes - 1} variants tried was accepted`;
  // No known bug of the signing explains it: the secret itself is the likeliest cause.
  return status === 401 || status === 403
    ? `${tried}: the receiver most likely verifies with another secret than --secret, or with none (an environment variable not set where it runs); start it with the same secret`
    : tried;
}

/** A 404 or 405 is no signature verdict: the URL is not the webhook route. */
const notTheRoute = (status: number) => status === 404 || status === 405;

function wrongPath(status: number, url: URL): string {
  return `the valid event was answered ${status}: ${url.pathname} is probably not your webhook route (check the path of --to, and that the route accepts POST); no signature was probed`;
}

/**
 * Sends discriminating probes to a receiver and names the likely signature bug, with evidence.
 * When the documented signature is accepted: the same event re-formatted (a receiver verifying a
 * re-serialised body refuses it) and the window of accepted timestamps (tolerance, clock skew).
 * When it is refused: one probe per known bug; the one accepted names it.
 */
export async function runDoctor(options: DoctorOptions, deps: DoctorDeps): Promise<DoctorResult> {
  const url = parseTarget(options.to);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const header = options.signatureHeader ?? DEFAULT_SIGNATURE_HEADER;
  const entropy = { ...systemEntropy(), ...deps.entropy };
  const event = composeEvent("created", { ...options, newTicket: true, entropy }).value as Record<
    string,
    unknown
  >;
  const sender = await deps.createSender({
    origin: url.origin,
    timeoutMs,
    connections: 1,
    ...(options.insecure ? { insecure: true } : {}),
  });
  const prober = new Prober(
    options.headers,
    sender,
    url,
    timeoutMs,
    deps.clock ?? systemClock,
    event,
    entropy,
  );
  try {
    const standard = standardRecipe(options.secret, header);
    const status = await prober.post(standard);
    if (notTheRoute(status)) {
      const baseline = { status, accepted: false };
      const why = wrongPath(status, url);
      return { baseline, diagnoses: [], unexplained: why, window: null, probes: 1, probed: [] };
    }
    const found = ok(status)
      ? {
          diagnoses: await whenAccepted(prober, standard, status, options.secret),
          working: { recipe: standard, offset: 0 },
        }
      : await whenRefused(prober, options, header, status);
    const { diagnoses, working } = found;
    const baseline = { status, accepted: ok(status) };
    const probed = baseline.accepted ? PROBED_WHEN_ACCEPTED : PROBED_WHEN_REFUSED;
    if (!working) {
      const why = unexplained(status, prober.probes);
      return { baseline, diagnoses, unexplained: why, window: null, probes: prober.probes, probed };
    }
    const window = await acceptedWindow(
      (offset) => prober.accepts(working.recipe, offset),
      working.offset,
    );
    const timing = judgeWindow(window);
    if (timing) diagnoses.push(timing);
    return {
      baseline,
      diagnoses,
      unexplained: null,
      window,
      probes: prober.probes,
      probed: [...probed, ...PROBED_WINDOW],
    };
  } finally {
    await sender.close();
  }
}

/** Offsets from our now (s) of the oldest and newest accepted t=; null: none found within 7 days. */
export interface Window {
  oldest: number | null;
  newest: number | null;
}

async function furthest(
  accepts: (offset: number) => Promise<boolean>,
  inside: number,
  direction: 1 | -1,
): Promise<number | null> {
  let outside = inside + direction * FAR_SECONDS;
  if (await accepts(outside)) return null;
  while (Math.abs(outside - inside) > 1) {
    const mid = Math.round((inside + outside) / 2);
    if (await accepts(mid)) inside = mid;
    else outside = mid;
  }
  return inside;
}

async function acceptedWindow(
  accepts: (offset: number) => Promise<boolean>,
  from: number,
): Promise<Window> {
  return { oldest: await furthest(accepts, from, -1), newest: await furthest(accepts, from, 1) };
}

/** An offset from our clock in words: `120 s old`, `30 s ahead`, `now`. */
export function spokenOffset(seconds: number): string {
  if (seconds === 0) return "now";
  return seconds < 0 ? `${-seconds} s old` : `${seconds} s ahead`;
}

/** Reads tolerance and clock skew from the window of accepted timestamps. */
export function judgeWindow(window: Window): Diagnosis | null {
  const allowed = DEFAULT_TOLERANCE_SECONDS;
  const toleranceFix = `Accept t= within ${allowed} s of your clock, both ways (the platform refuses signatures older than 5 minutes): a longer window lets old requests be replayed, a shorter one refuses genuine retries.`;
  if (window.oldest === null || window.newest === null) {
    const parts = [
      window.oldest === null ? "accepts signatures 7 days old (no age limit)" : null,
      window.newest === null ? "accepts signatures 7 days in the future" : null,
    ].filter(Boolean);
    return { id: "tolerance", evidence: `${parts.join(" and ")}`, fix: toleranceFix };
  }
  const old = -window.oldest;
  const ahead = window.newest;
  const near = (a: number, b: number) => Math.abs(a - b) <= SLACK_SECONDS;
  if (near(old, allowed) && near(ahead, allowed)) return null;
  const range = `accepts t= from ${spokenOffset(window.oldest)} to ${spokenOffset(window.newest)} of our clock`;
  const skew = Math.round((ahead - old) / 2);
  if (near((ahead + old) / 2, allowed)) {
    return {
      id: "clock-skew",
      evidence: `${range}: a ${2 * allowed} s window centred ${Math.abs(skew)} s ${skew > 0 ? "ahead of" : "behind"} our clock, so its clock is off by about ${skew > 0 ? "+" : "-"}${Math.abs(skew)} s`,
      fix: "Synchronise the receiver's clock (NTP) and compare t= with the time in UTC seconds.",
    };
  }
  return {
    id: "tolerance",
    evidence: `${range} (the platform allows ${allowed} s)${ahead <= SLACK_SECONDS ? "; it refuses any signature from the future" : ""}`,
    fix: toleranceFix,
  };
}
