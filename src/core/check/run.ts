import { composeEvent } from "../delivery/compose.js";
import { describeNetworkError, type HttpResponse } from "../delivery/http-client.js";
import { RequestSigner } from "../delivery/requests.js";
import { parseTarget } from "../delivery/send.js";
import { failure, usageError } from "../errors.js";
import { systemEntropy } from "../events/ids.js";
import { sign } from "../signing/signature.js";
import {
  type Answer,
  CASE_IDS,
  CASES,
  type Context,
  type Expect,
  now,
  SLOW_CASE,
} from "./cases.js";
import { diagnoseRejections } from "./check-doctor.js";
import type {
  CaseResult,
  CaseStatus,
  CheckDeps,
  CheckOptions,
  CheckReport,
  RootCause,
} from "./report.js";

/** The valid event a negative case is compared with. */
export const BASELINE_ID = "valid-created";

function checkIds(ids: readonly string[] | undefined, flag: string): void {
  const unknown = (ids ?? []).filter((id) => !CASE_IDS.includes(id));
  if (unknown.length > 0) {
    throw usageError(
      "UNKNOWN_CASE",
      `${flag}: unknown case id(s) ${unknown.join(", ")}`,
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

/** Runs the conformance suite against a receiver, case by case. */
export async function runCheck(options: CheckOptions, deps: CheckDeps): Promise<CheckReport> {
  const url = parseTarget(options.to);
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
  const wanted = (id: string) => chosen(id) || (id === BASELINE_ID && needsBaseline);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const slowMs = options.slowMs ?? 3000;
  const signer = new RequestSigner({ signatureHeader: options.signatureHeader });
  const sender = await deps.createSender({
    origin: url.origin,
    timeoutMs,
    connections: 1,
    ...(options.insecure ? { insecure: true } : {}),
  });
  const entropy = { ...systemEntropy(), ...deps.entropy };
  let answeredOnce = false;
  let unreachable: string | null = null;
  const ctx: Context = {
    secret: options.secret,
    event: (name) =>
      composeEvent(name, { ...options, newTicket: true, entropy }).value as Record<string, unknown>,
    sign: (body, at = now(), secret = options.secret ?? "") => sign(secret, body, at),
    post: async (body, signature) => {
      const headers = signer.headersWith(signature);
      const started = performance.now();
      try {
        const res: HttpResponse = await sender.post(`${url.pathname}${url.search}`, headers, body);
        answeredOnce = true;
        return {
          status: res.status,
          error: null,
          failure: null,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
          body: res.body.slice(0, 500),
        };
      } catch (error) {
        const failure = describeNetworkError(error, { host: url.host, timeoutMs });
        if (UNREACHABLE.has(failure.kind) || (failure.kind === "timeout" && !answeredOnce)) {
          unreachable = failure.message;
        }
        return {
          status: null,
          error: failure.message,
          failure: failure.kind,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
          body: "",
        };
      }
    },
  };

  const results: CaseResult[] = [];
  const report = (result: CaseResult) => {
    results.push(result);
    deps.onCase?.(result);
  };
  const startedAll = performance.now();
  let interrupted = false;
  try {
    for (const c of CASES) {
      if (deps.signal?.aborted) {
        interrupted = true;
        break;
      }
      if (!wanted(c.id)) continue;
      const expected = EXPECTED[c.expect];
      if (c.signature && !options.secret) {
        report({
          id: c.id,
          title: c.title,
          expected,
          status: "skip",
          got: "not run",
          fix: "no --secret given: signature cases are skipped",
          answers: [],
          duration_ms: 0,
        });
        continue;
      }
      const started = performance.now();
      const answers = await c.run(ctx);
      if (unreachable !== null) {
        throw failure("UNREACHABLE", `check stopped: cannot reach ${url.origin}: ${unreachable}`);
      }
      const ok = judge(c.expect, answers);
      report({
        id: c.id,
        title: c.title,
        expected,
        status: ok ? "pass" : "fail",
        got: describe(answers),
        fix: ok ? null : c.fix,
        answers,
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
      });
    }
    if (!interrupted && chosen(SLOW_CASE.id)) {
      const timed = results.flatMap((r) =>
        r.answers.map((a) => ({ id: r.id, ms: a.duration_ms, answered: a.status !== null })),
      );
      const unanswered = timed.filter((t) => !t.answered);
      const slow = timed.filter((t) => t.answered && t.ms > slowMs);
      const slowest = timed.reduce((m, t) => Math.max(m, t.ms), 0);
      const status: CaseStatus =
        timed.length === 0
          ? "skip"
          : unanswered.length > 0
            ? "fail"
            : slow.length > 0
              ? "warn"
              : "pass";
      report({
        id: SLOW_CASE.id,
        title: `${SLOW_CASE.title} (${slowMs} ms)`,
        expected: `every answer within ${slowMs} ms`,
        status,
        got:
          status === "skip"
            ? "no answers to time"
            : status === "fail"
              ? `${unanswered.length} request(s) got no answer: ${[...new Set(unanswered.map((u) => u.id))].join(", ")}`
              : slow.length > 0
                ? `${slow.length} slow: ${slow.map((s) => `${s.id} ${s.ms}ms`).join(", ")}`
                : `slowest ${slowest}ms`,
        fix:
          status === "fail"
            ? "Answer every request, quickly: a request without an answer is a failed delivery the platform retries."
            : slow.length > 0
              ? "Answer first and do the work afterwards (a queue, a background job): the platform treats slow answers as failures and retries."
              : null,
        answers: [],
        duration_ms: 0,
      });
    }
  } finally {
    await sender.close();
  }
  const rootCauses = findRootCauses(results, options.secret, signer.signatureHeader);
  if (rootCauses.length > 0) applyRootCause(results, rootCauses[0] as RootCause);
  // Valid, signed events all rejected: the signature doctor says why.
  const diagnoses = interrupted ? undefined : await diagnoseRejections(options, deps, results);
  const count = (s: CaseStatus) => results.filter((r) => r.status === s).length;
  return {
    rootCauses,
    ...(diagnoses ? { diagnoses } : {}),
    results,
    interrupted,
    summary: {
      total: results.length,
      passed: count("pass"),
      failed: count("fail"),
      skipped: count("skip"),
      warnings: count("warn"),
      inconclusive: count("inconclusive"),
      duration_ms: Math.round(performance.now() - startedAll),
    },
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
    const def = byId.get(r.id);
    if (r.status === "pass" && r.id === SLOW_CASE.id) {
      r.status = "inconclusive";
      r.fix = `inconclusive: the answers timed were rejections, not handled events; ${first}.`;
    }
    if (!def) continue;
    if (r.status === "pass" && def.expect === "4xx") {
      r.status = "inconclusive";
      r.fix = `inconclusive: the receiver rejected the valid counterpart (${BASELINE_ID}) too, so this rejection proves nothing; ${first}.`;
    } else if (r.status === "pass" && def.expect === "answer") {
      r.status = "inconclusive";
      r.fix = `inconclusive: the event was rejected before any handler saw it, so this proves nothing; ${first}.`;
    } else if (r.status === "fail" && def.expect === "2xx") {
      r.fix = def.fixWhenValidRejected
        ? def.fixWhenValidRejected(r.answers, cause.message)
        : `rejected like every valid event: ${first}.`;
    }
  }
}
