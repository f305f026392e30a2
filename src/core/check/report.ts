import type { ComposeOptions } from "../delivery/compose.js";
import type { CreateHttpSender } from "../delivery/http-client.js";
import type { Entropy } from "../events/ids.js";
import type { Answer } from "./cases.js";
import type { Diagnosis } from "./doctor.js";

// What `check` is asked (options, dependencies) and what it reports: shared by the run, the
// signature doctor's hook and the reporters.

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
  /** Headers sent with every case (e.g. the Authorization a URL's `user:password@` makes). */
  headers?: Readonly<Record<string, string>> | undefined;
}

export interface CheckDeps {
  createSender: CreateHttpSender;
  entropy?: Partial<Entropy>;
  onCase?: (result: CaseResult) => void;
  /** Aborting stops the run after the request in flight; the partial report is returned. */
  signal?: AbortSignal;
}

/**
 * `inconclusive`: a negative case got the 4xx it expects, but the receiver also rejected the valid
 * counterpart in the same run, so the rejection proves nothing.
 */
export type CaseStatus = "pass" | "fail" | "skip" | "warn" | "inconclusive";

export interface CaseResult {
  id: string;
  title: string;
  expected: string;
  status: CaseStatus;
  /** What the receiver answered, in words. */
  got: string;
  /** How to fix a failure (or why it was skipped, or why it is inconclusive). */
  fix: string | null;
  answers: Answer[];
  duration_ms: number;
  /** The id of the root cause this case falls under (its `fix` then names it). */
  root_cause?: string;
}

/**
 * Why many cases fail or prove nothing, found after the run; the report leads with it.
 * - `wrong-path`: every answer was 404 or 405;
 * - `valid-rejected`: valid signed events were not accepted.
 * `details` holds further lines of diagnosis (a signature diagnosis can add its findings here).
 */
export interface RootCause {
  id: "wrong-path" | "valid-rejected";
  message: string;
  details: string[];
}

export interface CheckSummary {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  warnings: number;
  inconclusive: number;
  duration_ms: number;
}

export interface CheckReport {
  rootCauses: RootCause[];
  results: CaseResult[];
  summary: CheckSummary;
  /** Stopped by `deps.signal` before the end: the results are those run so far. */
  interrupted: boolean;
  /** When valid, signed events were rejected: what the signature doctor found, and why. */
  diagnoses?: Diagnosis[];
}

/**
 * The report of a run that stopped because the receiver could not be reached: one failed case
 * naming the cause, so that CI's report step still has a file to read.
 */
export function unreachableReport(cause: string, started: number): CheckReport {
  const result: CaseResult = {
    id: "receiver-reachable",
    title: "the receiver can be reached",
    expected: "an HTTP answer",
    status: "fail",
    got: cause,
    fix: "Start the receiver, or check --to (host, port, path).",
    answers: [],
    duration_ms: Math.round(performance.now() - started),
  };
  return {
    rootCauses: [],
    results: [result],
    summary: summaryOf([result], started),
    interrupted: false,
  };
}

/** The counts of a run's results; `started` is performance.now() when it began. */
export function summaryOf(results: readonly CaseResult[], started: number): CheckSummary {
  const count = (s: CaseStatus) => results.filter((r) => r.status === s).length;
  return {
    total: results.length,
    passed: count("pass"),
    failed: count("fail"),
    skipped: count("skip"),
    warnings: count("warn"),
    inconclusive: count("inconclusive"),
    duration_ms: Math.round(performance.now() - started),
  };
}
