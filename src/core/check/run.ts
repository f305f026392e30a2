import {
  type CreateHttpSender,
  describeNetworkError,
  type HttpResponse,
} from "../delivery/http-client.js";
import { RequestSigner } from "../delivery/requests.js";
import { parseTarget } from "../delivery/send.js";
import { usageError } from "../errors.js";
import { type ComposeOptions, composeEvent } from "../events/compose.js";
import { defaultEntropy, type Entropy } from "../events/ids.js";
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
import type { Diagnosis } from "./doctor.js";

export interface CheckOptions extends ComposeOptions {
  to: string;
  secret?: string | undefined;
  signatureHeader?: string;
  timeoutMs?: number;
  /** Answers slower than this are a warning. Default 3000. */
  slowMs?: number;
  only?: readonly string[] | undefined;
  skip?: readonly string[] | undefined;
  insecure?: boolean;
}

export type { Answer } from "./cases.js";
export { CASE_IDS } from "./cases.js";

export interface CheckDeps {
  createSender: CreateHttpSender;
  entropy?: Partial<Entropy>;
  onCase?: (result: CaseResult) => void;
}

export type CaseStatus = "pass" | "fail" | "skip" | "warn";

export interface CaseResult {
  id: string;
  title: string;
  expected: string;
  status: CaseStatus;
  /** What the receiver answered, in words. */
  got: string;
  /** How to fix a failure (or why it was skipped). */
  fix: string | null;
  answers: Answer[];
  duration_ms: number;
}

export interface CheckSummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  warnings: number;
  duration_ms: number;
}

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

function describe(answers: readonly Answer[]): string {
  return answers
    .map((a) =>
      a.status === null
        ? `no answer (${a.error})`
        : `${a.status}${a.body ? ` ${a.body.replace(/\s+/g, " ").slice(0, 80)}` : ""}`,
    )
    .join("; then ");
}

function judge(expect: Expect, answers: readonly Answer[]): boolean {
  return answers.every((a) => {
    if (a.status === null) return false;
    if (expect === "2xx") return a.status >= 200 && a.status < 300;
    if (expect === "4xx") return a.status >= 400 && a.status < 500;
    return a.status < 500;
  });
}

const EXPECTED: Record<Expect, string> = {
  "2xx": "2xx",
  "4xx": "4xx",
  answer: "an answer below 500",
};

/** Runs the conformance suite against a receiver, case by case. */
export async function runCheck(
  options: CheckOptions,
  deps: CheckDeps,
): Promise<{ results: CaseResult[]; summary: CheckSummary; diagnoses?: Diagnosis[] }> {
  const url = parseTarget(options.to);
  checkIds(options.only, "--only");
  checkIds(options.skip, "--skip");
  const wanted = (id: string) =>
    (!options.only || options.only.length === 0 || options.only.includes(id)) &&
    !(options.skip ?? []).includes(id);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const slowMs = options.slowMs ?? 3000;
  const signer = new RequestSigner({ signatureHeader: options.signatureHeader });
  const sender = await deps.createSender({
    origin: url.origin,
    timeoutMs,
    connections: 1,
    ...(options.insecure ? { insecure: true } : {}),
  });
  const entropy = { ...defaultEntropy, ...deps.entropy };
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
        return {
          status: res.status,
          error: null,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
          body: res.body.slice(0, 500),
        };
      } catch (error) {
        return {
          status: null,
          error: describeNetworkError(error, { host: url.host, timeoutMs }).message,
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
  try {
    for (const c of CASES) {
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
    if (wanted(SLOW_CASE.id)) {
      const timed = results.flatMap((r) => r.answers.map((a) => ({ id: r.id, ms: a.duration_ms })));
      const slow = timed.filter((t) => t.ms > slowMs);
      const slowest = timed.reduce((m, t) => Math.max(m, t.ms), 0);
      report({
        id: SLOW_CASE.id,
        title: `${SLOW_CASE.title} (${slowMs} ms)`,
        expected: `every answer within ${slowMs} ms`,
        status: timed.length === 0 ? "skip" : slow.length > 0 ? "warn" : "pass",
        got:
          timed.length === 0
            ? "no answers to time"
            : slow.length > 0
              ? `${slow.length} slow: ${slow.map((s) => `${s.id} ${s.ms}ms`).join(", ")}`
              : `slowest ${slowest}ms`,
        fix:
          slow.length > 0
            ? "Answer first and do the work afterwards (a queue, a background job): the platform treats slow answers as failures and retries."
            : null,
        answers: [],
        duration_ms: 0,
      });
    }
  } finally {
    await sender.close();
  }
  // Valid, signed events all rejected: the signature doctor says why.
  const diagnoses = await diagnoseRejections(options, deps, results);
  const count = (s: CaseStatus) => results.filter((r) => r.status === s).length;
  return {
    ...(diagnoses ? { diagnoses } : {}),
    results,
    summary: {
      total: results.length,
      passed: count("pass"),
      failed: count("fail"),
      skipped: count("skip"),
      warnings: count("warn"),
      duration_ms: Math.round(performance.now() - startedAll),
    },
  };
}
