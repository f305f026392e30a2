import { createHmac } from "node:crypto";
import type { HttpResponse, HttpSender } from "../io/http-sender.js";
import { type ComposeOptions, composeEvent } from "./compose.js";
import { usageError } from "./errors.js";
import { defaultEntropy, type Entropy } from "./ids.js";
import { USER_AGENT } from "./requests.js";
import { parseTarget } from "./send.js";
import { DEFAULT_SIGNATURE_HEADER } from "./signature.js";

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

export interface CheckDeps {
  createSender?: (options: import("../io/http-sender.js").HttpSenderOptions) => HttpSender;
  entropy?: Partial<Entropy>;
  onCase?: (result: CaseResult) => void;
}

export interface Answer {
  status: number | null;
  error: string | null;
  duration_ms: number;
  body: string;
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

interface Context {
  secret: string | undefined;
  /** A fresh, valid event of a type: new ticket, new event_id, timestamps ending now. */
  event(name: string): Record<string, unknown>;
  sign(body: string | Buffer, at?: number, secret?: string): string;
  post(body: string | Buffer, signature: string | null): Promise<Answer>;
}

type Expect = "2xx" | "4xx" | "answer";

interface CaseDef {
  id: string;
  title: string;
  expect: Expect;
  /** Needs --secret (signature cases); skipped without one. */
  signature?: boolean;
  run(ctx: Context): Promise<Answer[]>;
  fix: string;
}

const now = () => Math.floor(Date.now() / 1000);
const json = (v: unknown) => JSON.stringify(v);

function signed(ctx: Context, body: string): Promise<Answer> {
  return ctx.post(body, ctx.secret ? ctx.sign(body) : null);
}

/** Same content, other whitespace and key order: a receiver that re-serialises will miscompute. */
function reformat(value: unknown): string {
  const reorder = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(reorder);
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v)
          .reverse()
          .map(([k, x]) => [k, reorder(x)]),
      );
    }
    return v;
  };
  return `${JSON.stringify(reorder(value), null, 3)}\n`;
}

export const CASES: readonly CaseDef[] = [
  ...(["created", "updated", "assigned", "resolved"] as const).map(
    (name): CaseDef => ({
      id: `valid-${name}`,
      title: `a valid, signed whitelabel-ticket-${name} event`,
      expect: "2xx",
      run: async (ctx) => [await signed(ctx, json(ctx.event(name)))],
      fix: `Your receiver must accept a correctly signed whitelabel-ticket-${name} with a 2xx, quickly; do slow work after answering. Check that it verifies HMAC-SHA256 of "<t>.<raw body>" from the t=…,s=… header.`,
    }),
  ),
  {
    id: "wrong-secret",
    title: "signed with the wrong secret",
    expect: "4xx",
    signature: true,
    run: async (ctx) => {
      const body = json(ctx.event("created"));
      return [await ctx.post(body, ctx.sign(body, now(), `not-${ctx.secret}`))];
    },
    fix: "Verify the signature before acting on an event and answer 401 when no s= value matches: anyone can POST to your URL.",
  },
  {
    id: "missing-signature",
    title: "no signature header",
    expect: "4xx",
    signature: true,
    run: async (ctx) => [await ctx.post(json(ctx.event("created")), null)],
    fix: "Reject requests without the signature header (401); do not treat a missing signature as valid.",
  },
  {
    id: "malformed-signature",
    title: "a malformed signature header",
    expect: "4xx",
    signature: true,
    run: async (ctx) => [
      await ctx.post(json(ctx.event("created")), "sha256=not-the-expected-format"),
    ],
    fix: 'Parse the header as "t=<unix seconds>,s=<hex>" and reject anything else with a 4xx, without throwing (a 5xx makes the platform retry).',
  },
  {
    id: "stale-timestamp",
    title: "a valid signature whose timestamp is 10 minutes old",
    expect: "4xx",
    signature: true,
    run: async (ctx) => {
      const body = json(ctx.event("created"));
      return [await ctx.post(body, ctx.sign(body, now() - 600))];
    },
    fix: "Reject signatures whose t= is more than 5 minutes old, as the platform documents: it stops replayed requests.",
  },
  {
    id: "future-timestamp",
    title: "a valid signature whose timestamp is 10 minutes in the future",
    expect: "4xx",
    signature: true,
    run: async (ctx) => {
      const body = json(ctx.event("created"));
      return [await ctx.post(body, ctx.sign(body, now() + 600))];
    },
    fix: "Reject timestamps more than 5 minutes ahead of your clock as well as behind it.",
  },
  {
    id: "tampered-body",
    title: "the body changed by one byte after signing",
    expect: "4xx",
    signature: true,
    run: async (ctx) => {
      const body = json(ctx.event("created"));
      const signature = ctx.sign(body);
      const at = body.indexOf('"title":"') + 9;
      const tampered = `${body.slice(0, at)}${body[at] === "X" ? "Y" : "X"}${body.slice(at + 1)}`;
      return [await ctx.post(tampered, signature)];
    },
    fix: "Compute the HMAC over the exact bytes received and compare it in constant time; a changed body must fail.",
  },
  {
    id: "key-rotation",
    title: "two s= values, one of them valid (secret rotation)",
    expect: "2xx",
    signature: true,
    run: async (ctx) => {
      const body = json(ctx.event("created"));
      const t = now();
      const old = createHmac("sha256", `old-${ctx.secret}`).update(`${t}.${body}`).digest("hex");
      const good = ctx.sign(body, t).split(",s=")[1];
      return [await ctx.post(body, `t=${t},s=${old},s=${good}`)];
    },
    fix: "Accept the request when any of the s= values matches: during a secret rotation the header carries several.",
  },
  {
    id: "duplicate-delivery",
    title: "the same event delivered twice (same event_id, fresh signatures)",
    expect: "2xx",
    run: async (ctx) => {
      const body = json(ctx.event("created"));
      return [await signed(ctx, body), await signed(ctx, body)];
    },
    fix: "Deduplicate on event_id, but answer 2xx to the repeat too: the platform retries anything else for up to three days.",
  },
  {
    id: "out-of-order",
    title: "an update for a ticket never announced as created",
    expect: "answer",
    run: async (ctx) => [await signed(ctx, json(ctx.event("updated")))],
    fix: "Events can arrive out of order: answer (2xx, or a 4xx you mean) instead of crashing with a 5xx or dropping the connection.",
  },
  {
    id: "unknown-event-type",
    title: "a validly signed event of a type the receiver does not know",
    expect: "2xx",
    run: async (ctx) => {
      const event = ctx.event("created");
      return [await signed(ctx, json({ ...event, event_type: "whitelabel-ticket-merged" }))];
    },
    fix: "Answer 2xx to event types you do not handle and ignore them: the platform may add new ones.",
  },
  {
    id: "invalid-json",
    title: "a validly signed body that is not JSON",
    expect: "4xx",
    run: async (ctx) => [
      await signed(ctx, '{"event_id": "whev_00000000000000000", "event_type": '),
    ],
    fix: "Catch the JSON parse error and answer 400; a 5xx makes the platform retry a request that can never succeed.",
  },
  {
    id: "reformatted-body",
    title: "the same event with other whitespace and key order, validly signed",
    expect: "2xx",
    signature: true,
    run: async (ctx) => [await signed(ctx, reformat(ctx.event("assigned")))],
    fix: "Verify the signature over the raw request body, before parsing; re-serialising parsed JSON changes the bytes and breaks the check.",
  },
];

export const SLOW_CASE = { id: "slow-response", title: "every answer within --slow-ms" } as const;
export const CASE_IDS: readonly string[] = [...CASES.map((c) => c.id), SLOW_CASE.id];

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
  deps: CheckDeps = {},
): Promise<{ results: CaseResult[]; summary: CheckSummary }> {
  const url = parseTarget(options.to);
  checkIds(options.only, "--only");
  checkIds(options.skip, "--skip");
  const wanted = (id: string) =>
    (!options.only || options.only.length === 0 || options.only.includes(id)) &&
    !(options.skip ?? []).includes(id);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const slowMs = options.slowMs ?? 3000;
  const header = (options.signatureHeader ?? DEFAULT_SIGNATURE_HEADER).toLowerCase();
  const http = await import("../io/http-sender.js");
  const sender = (deps.createSender ?? http.createHttpSender)({
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
    sign: (body, at = now(), secret = options.secret ?? "") =>
      `t=${at},s=${createHmac("sha256", secret).update(`${at}.`).update(body).digest("hex")}`,
    post: async (body, signature) => {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
      };
      if (signature !== null) headers[header] = signature;
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
          error: http.describeNetworkError(error, { host: url.host, timeoutMs }).message,
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
  const count = (s: CaseStatus) => results.filter((r) => r.status === s).length;
  return {
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
