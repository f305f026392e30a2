import { composeEvent } from "../delivery/compose.js";
import { describeNetworkError, type HttpSender } from "../delivery/http-client.js";
import { RequestSigner } from "../delivery/requests.js";
import { parseTarget } from "../delivery/send.js";
import { failure, usageError } from "../errors.js";
import { type Entropy, systemEntropy } from "../events/ids.js";
import { sign } from "../signing/signature.js";
import { closest } from "../suggest.js";
import {
  type Answer,
  CASE_IDS,
  CASES,
  type CaseDef,
  type Context,
  type Expect,
  now,
  SLOW_CASE,
} from "./cases.js";
import { diagnoseRejections } from "./check-doctor.js";
import {
  type CaseResult,
  type CheckDeps,
  type CheckOptions,
  type CheckReport,
  type RootCause,
  summaryOf,
} from "./report.js";

/** The valid event a negative case is compared with. */
export const BASELINE_ID = "valid-created";

function checkIds(ids: readonly string[] | undefined, flag: string): void {
  const unknown = (ids ?? []).filter((id) => !CASE_IDS.includes(id));
  if (unknown.length > 0) {
    const guesses = unknown.map((id) => closest(id, CASE_IDS)).filter((id) => id !== undefined);
    const guess =
      guesses.length > 0 ? ` (did you mean ${guesses.map((g) => `"${g}"`).join(", ")}?)` : "";
    throw usageError(
      "UNKNOWN_CASE",
      `${flag}: unknown case id(s) ${unknown.join(", ")}${guess}`,
      `Case ids: ${CASE_IDS.join(", ")}.`,
    );
  }
}

const oneLine = (body: string) => body.replace(/\s+/g, " ").trim().slice(0, 80);

function describe(answers: readonly Answer[]): string {
  return answers
    .map((a) =>
      a.status === null
        ? `no answer (${a.error})`
        : `${a.status}${a.body ? ` ${oneLine(a.body)}` : ""}`,
    )
    .join("; then ");
}

const is2xx = (a: Answer) => a.status !== null && a.status >= 200 && a.status < 300;

function judge(expect: Expect, answers: readonly Answer[]): boolean {
  return answers.every((a) => {
    if (a.status === null) return false;
    if (expect === "2xx") return is2xx(a);
    if (expect === "4xx") return a.status >= 400 && a.status < 500;
    return a.status < 500;
  });
}

const EXPECTED: Record<Expect, string> = {
  "2xx": "2xx",
  "4xx": "4xx",
  answer: "an answer below 500",
};

/** Failures that mean the target cannot be reached at all: no case can say anything. */
const UNREACHABLE = new Set(["refused", "dns", "tls"]);

function findRootCauses(
  results: readonly CaseResult[],
  secret: string | undefined,
  signatureHeader: string,
): RootCause[] {
  const answered = results.flatMap((r) => r.answers).filter((a) => a.status !== null);
  if (answered.length > 0 && answered.every((a) => a.status === 404 || a.status === 405)) {
    const statuses = [...new Set(answered.map((a) => a.status))].join("/");
    return [
      {
        id: "wrong-path",
        message: `every answer was ${statuses}: the URL's path is probably not your webhook route`,
        details: [
          "Check the path in --to (e.g. /webhooks) and that the route accepts POST.",
          "Until valid events are accepted, a 4xx to a forged one proves nothing.",
        ],
      },
    ];
  }
  const baseline = results.find((r) => r.id === BASELINE_ID);
  const first = baseline?.answers[0];
  if (baseline && first && !is2xx(first)) {
    const got = describe([first]);
    const details =
      first.status === 401 || first.status === 403
        ? secret
          ? [
              `Check that the receiver uses the same secret and reads the signature from the ${signatureHeader} header (--signature-header), and that it verifies HMAC-SHA256 of "<t>.<raw body>".`,
            ]
          : [
              "No --secret was given, so the events were sent unsigned: pass your endpoint's secret.",
            ]
        : ["Check the receiver's log for why it rejects a valid event."];
    details.push("Until valid events are accepted, a 4xx to a forged one proves nothing.");
    return [
      {
        id: "valid-rejected",
        message: `valid signed events are rejected: ${BASELINE_ID} got ${got}`,
        details,
      },
    ];
  }
  return [];
}

/** Which cases run: --only and --skip, and the valid baseline every negative case needs. */
function selection(options: CheckOptions): {
  chosen: (id: string) => boolean;
  wanted: (id: string) => boolean;
} {
  checkIds(options.only, "--only");
  checkIds(options.skip, "--skip");
  const chosen = (id: string) =>
    (!options.only || options.only.length === 0 || options.only.includes(id)) &&
    !(options.skip ?? []).includes(id);
  // A negative case means something only next to the valid event it is compared with: run that
  // one too, even when --only left it out.
  const needsBaseline = CASES.some(
    (c) => c.expect === "4xx" && chosen(c.id) && (!c.signature || options.secret),
  );
  return { chosen, wanted: (id) => chosen(id) || (id === BASELINE_ID && needsBaseline) };
}

const elapsed = (started: number): number => Math.round((performance.now() - started) * 10) / 10;

/**
 * What the cases send through: events to send, signatures, and a POST to the receiver that notes
 * when it cannot be reached (then the check stops).
 */
class CheckClient implements Context {
  private answeredOnce = false;
  /** Why the receiver cannot be reached, once a request said so. */
  unreachable: string | null = null;
  readonly secret: string | undefined;

  get origin(): string {
    return this.url.origin;
  }

  constructor(
    private readonly options: CheckOptions,
    private readonly url: URL,
    private readonly sender: HttpSender,
    private readonly signer: RequestSigner,
    private readonly entropy: Entropy,
  ) {
    this.secret = options.secret;
  }

  /** Ends the check when a request found the receiver cannot be reached. */
  stopIfUnreachable(): void {
    if (this.unreachable === null) return;
    throw failure("UNREACHABLE", `check stopped: cannot reach ${this.origin}: ${this.unreachable}`);
  }

  event(name: string): Record<string, unknown> {
    const { options, entropy } = this;
    return composeEvent(name, { ...options, newTicket: true, entropy }).value as Record<
      string,
      unknown
    >;
  }

  sign(body: string | Buffer, at = now(), secret = this.options.secret ?? ""): string {
    return sign(secret, body, at);
  }

  async post(body: string | Buffer, signature: string | null): Promise<Answer> {
    const headers = this.signer.headersWith(signature);
    const started = performance.now();
    const path = `${this.url.pathname}${this.url.search}`;
    try {
      const res = await this.sender.post(path, headers, body);
      this.answeredOnce = true;
      const duration_ms = elapsed(started);
      return {
        status: res.status,
        error: null,
        failure: null,
        duration_ms,
        body: res.body.slice(0, 500),
      };
    } catch (error) {
      const timeoutMs = this.options.timeoutMs ?? 10_000;
      const failed = describeNetworkError(error, { host: this.url.host, timeoutMs });
      if (UNREACHABLE.has(failed.kind) || (failed.kind === "timeout" && !this.answeredOnce)) {
        this.unreachable = failed.message;
      }
      const duration_ms = elapsed(started);
      return { status: null, error: failed.message, failure: failed.kind, duration_ms, body: "" };
    }
  }
}

/** A case skipped for want of --secret. */
function skipped(c: CaseDef): CaseResult {
  return {
    id: c.id,
    title: c.title,
    expected: EXPECTED[c.expect],
    status: "skip",
    got: "not run",
    fix: "no --secret given: signature cases are skipped",
    answers: [],
    duration_ms: 0,
  };
}

/** Runs one case and judges its answers. */
async function runCase(c: CaseDef, client: CheckClient): Promise<CaseResult> {
  const started = performance.now();
  const answers = await c.run(client);
  client.stopIfUnreachable();
  const ok = judge(c.expect, answers);
  let unjudged = c.expect === "2xx" ? undefined : notARejection(answers);
  if (ok && unjudged === undefined && c.expect === "4xx") unjudged = await controlRefused(client);
  return {
    id: c.id,
    title: c.title,
    expected: EXPECTED[c.expect],
    status: unjudged ? "inconclusive" : ok ? "pass" : "fail",
    got: describe(answers),
    fix: unjudged ?? (ok ? null : c.fix),
    answers,
    duration_ms: elapsed(started),
  };
}

/**
 * A rejection tells a forged request from a valid one only if a valid one is accepted beside it:
 * a valid event (the control) is sent right after, and when it is not accepted (the receiver now
 * rejects everything, is rate-limited, went down), the rejection proves nothing.
 */
async function controlRefused(client: CheckClient): Promise<string | undefined> {
  const control = CASES.find((c) => c.id === BASELINE_ID) as CaseDef;
  const answers = await control.run(client);
  client.stopIfUnreachable();
  if (answers.every(is2xx)) return undefined;
  return `inconclusive: a valid control sent right after it was answered ${describe(answers)}, so this rejection does not show that forged requests are told apart from valid ones; find out why valid events are refused now (a rate limit, a crash, a lock-out after failures) and run again.`;
}

/**
 * Why a case that wants a rejection (or any handled answer) cannot be judged: 429 and 503 say the
 * receiver was busy, not that it refused the request. (Another 5xx is a finding: it failed.)
 */
function notARejection(answers: readonly Answer[]): string | undefined {
  const busy = answers.find((a) => a.status === 429 || a.status === 503);
  if (busy === undefined) return undefined;
  return `inconclusive: answered ${busy.status}, which says the receiver is busy (a rate limit?), not that it refused this request; let check through the rate limit (or honour Retry-After) and run again.`;
}

/** slow-response: every answer of the run timed against --slow. */
function slowCase(results: readonly CaseResult[], slowMs: number): CaseResult {
  const timed = results.flatMap((r) =>
    r.answers.map((a) => ({ id: r.id, ms: a.duration_ms, answered: a.status !== null })),
  );
  const unanswered = timed.filter((t) => !t.answered);
  const slow = timed.filter((t) => t.answered && t.ms > slowMs);
  const base = {
    id: SLOW_CASE.id,
    title: `${SLOW_CASE.title} (${slowMs} ms)`,
    expected: `every answer within ${slowMs} ms`,
    answers: [],
    duration_ms: 0,
  };
  if (timed.length === 0) return { ...base, status: "skip", got: "no answers to time", fix: null };
  if (unanswered.length > 0) {
    const ids = [...new Set(unanswered.map((u) => u.id))].join(", ");
    return {
      ...base,
      status: "fail",
      got: `${unanswered.length} request(s) got no answer: ${ids}`,
      fix: "Answer every request, quickly: a request without an answer is a failed delivery the platform retries.",
    };
  }
  if (slow.length > 0) {
    return {
      ...base,
      status: "warn",
      got: `${slow.length} slow: ${slow.map((t) => `${t.id} ${t.ms}ms`).join(", ")}`,
      fix: "Answer first and do the work afterwards (a queue, a background job): the platform treats slow answers as failures and retries.",
    };
  }
  const slowest = timed.reduce((m, t) => Math.max(m, t.ms), 0);
  return { ...base, status: "pass", got: `slowest ${slowest}ms`, fix: null };
}

/** The wanted cases in order, each reported as it ends; true when the signal stopped them. */
async function runCases(
  wanted: (id: string) => boolean,
  client: CheckClient,
  report: (result: CaseResult) => void,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  for (const c of CASES) {
    if (signal?.aborted) return true;
    if (!wanted(c.id)) continue;
    report(c.signature && !client.secret ? skipped(c) : await runCase(c, client));
  }
  return false;
}

/** Runs the conformance suite against a receiver, case by case. */
export async function runCheck(options: CheckOptions, deps: CheckDeps): Promise<CheckReport> {
  const url = parseTarget(options.to);
  const { chosen, wanted } = selection(options);
  const signer = new RequestSigner({
    signatureHeader: options.signatureHeader,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const sender = await deps.createSender({
    origin: url.origin,
    timeoutMs: options.timeoutMs ?? 10_000,
    connections: 1,
    ...(options.insecure ? { insecure: true } : {}),
  });
  const entropy = { ...systemEntropy(), ...deps.entropy };
  const client = new CheckClient(options, url, sender, signer, entropy);
  const results: CaseResult[] = [];
  const report = (result: CaseResult) => {
    results.push(result);
    deps.onCase?.(result);
  };
  const startedAll = performance.now();
  let interrupted = false;
  try {
    interrupted = await runCases(wanted, client, report, deps.signal);
    if (!interrupted && chosen(SLOW_CASE.id)) report(slowCase(results, options.slowMs ?? 3000));
  } finally {
    await sender.close();
  }
  const rootCauses = findRootCauses(results, options.secret, signer.signatureHeader);
  if (rootCauses.length > 0) applyRootCause(results, rootCauses[0] as RootCause);
  // Valid, signed events all rejected: the signature doctor says why.
  const diagnoses = interrupted ? undefined : await diagnoseRejections(options, deps, results);
  return {
    rootCauses,
    ...(diagnoses ? { diagnoses } : {}),
    results,
    interrupted,
    summary: summaryOf(results, startedAll),
  };
}

/**
 * Under a root cause, what passed by being rejected (negative cases, out-of-order) or timed only
 * rejections (slow-response) is inconclusive; the hints of failed positive cases name the cause.
 */
function applyRootCause(results: CaseResult[], cause: RootCause): void {
  const byId = new Map(CASES.map((c) => [c.id, c]));
  const first = `fix the root cause first (${cause.message})`;
  for (const r of results) {
    if (r.status === "pass" && r.id === SLOW_CASE.id) {
      r.status = "inconclusive";
      r.fix = `inconclusive: the answers timed were rejections, not handled events; ${first}.`;
      r.root_cause = cause.id;
    }
    const def = byId.get(r.id);
    if (def) underRootCause(r, def, cause, first);
  }
}

/** One case's result under the root cause: proves nothing when it passed by a rejection. */
function underRootCause(r: CaseResult, def: CaseDef, cause: RootCause, first: string): void {
  const proved = r.status === "pass" || r.status === "inconclusive";
  if (proved && def.expect === "4xx") {
    r.status = "inconclusive";
    r.fix = `inconclusive: the receiver rejected the valid counterpart (${BASELINE_ID}) too, so this rejection proves nothing; ${first}.`;
  } else if (proved && def.expect === "answer") {
    r.status = "inconclusive";
    r.fix = `inconclusive: the event was rejected before any handler saw it, so this proves nothing; ${first}.`;
  } else if (r.status === "fail" && def.expect === "2xx") {
    r.fix = def.fixWhenValidRejected
      ? def.fixWhenValidRejected(r.answers, cause.message)
      : `rejected like every valid event: ${first}.`;
  } else return;
  r.root_cause = cause.id;
}
