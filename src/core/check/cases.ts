import type { FailureKind } from "../delivery/http-client.js";
import { computeSignature } from "../signing/signature.js";

// The cases of `ticket-hooks check`: what each sends, what it expects, and how to fix a failure.
// The runner is in check.ts.

export interface Answer {
  status: number | null;
  error: string | null;
  /** Why no answer came (null when one did). */
  failure: FailureKind | null;
  duration_ms: number;
  body: string;
}

export interface Context {
  secret: string | undefined;
  /** A fresh, valid event of a type: new ticket, new event_id, timestamps ending now. */
  event(name: string): Record<string, unknown>;
  sign(body: string | Buffer, at?: number, secret?: string): string;
  post(body: string | Buffer, signature: string | null): Promise<Answer>;
}

export type Expect = "2xx" | "4xx" | "answer";

export interface CaseDef {
  id: string;
  title: string;
  expect: Expect;
  /** Needs --secret (signature cases); skipped without one. */
  signature?: boolean;
  run(ctx: Context): Promise<Answer[]>;
  fix: string;
  /**
   * The hint when valid signed events are rejected (the root cause): what this case's failure means
   * then. Default: its valid request was rejected like every valid event.
   */
  fixWhenValidRejected?: (answers: readonly Answer[], cause: string) => string;
}

export const now = () => Math.floor(Date.now() / 1000);
const json = (v: unknown) => JSON.stringify(v);

function signed(ctx: Context, body: string): Promise<Answer> {
  return ctx.post(body, ctx.secret ? ctx.sign(body) : null);
}

/** Same content, other whitespace and key order: a receiver that re-serialises will miscompute. */
export function reformat(value: unknown): string {
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

/**
 * `s=` with less or more than the whole digest: a receiver comparing a prefix (`startsWith`, a
 * loop over the shorter string) accepts an empty or cut digest.
 */
export const WHOLE_DIGEST_FIX =
  "Decode s= as hex, require exactly 32 bytes, and compare the whole digest with a constant-time comparison (crypto.timingSafeEqual); never compare a prefix (startsWith): it accepts an empty s=.";

/** Several `s=` in one header (a secret rotation): any that matches must do. */
export const KEY_ROTATION_FIX =
  "Accept the request when any of the s= values matches, whatever their order: during a secret rotation the header carries several, so do not keep only the first or the last (parsing the header into an object keeps one).";

function digestCases(): CaseDef[] {
  const cut = (title: string, id: string, digest: (whole: string) => string): CaseDef => ({
    id,
    title,
    expect: "4xx",
    signature: true,
    run: async (ctx) => {
      const body = json(ctx.event("created"));
      const t = now();
      const whole = computeSignature(ctx.secret ?? "", t, body);
      return [await ctx.post(body, `t=${t},s=${digest(whole)}`)];
    },
    fix: WHOLE_DIGEST_FIX,
  });
  return [
    cut("an empty digest (t=…,s=)", "empty-digest", () => ""),
    cut("the right digest cut to half its length", "truncated-digest", (d) => d.slice(0, 32)),
    cut("the right digest with two more hex digits", "long-digest", (d) => `${d}00`),
  ];
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
  ...digestCases(),
  {
    id: "key-rotation",
    title: "two s= values, one of them valid (secret rotation), in both orders",
    expect: "2xx",
    signature: true,
    run: async (ctx) => {
      const answers: Answer[] = [];
      // Old first, then valid first: a receiver that keeps only the last (or only the first) s=
      // value, e.g. by parsing the header into an object, fails one of the two.
      for (const validFirst of [false, true]) {
        const body = json(ctx.event("created"));
        const t = now();
        const old = computeSignature(`old-${ctx.secret}`, t, body);
        const good = ctx.sign(body, t).split(",s=")[1];
        const pair = validFirst ? `s=${good},s=${old}` : `s=${old},s=${good}`;
        answers.push(await ctx.post(body, `t=${t},${pair}`));
      }
      return answers;
    },
    fix: `${KEY_ROTATION_FIX} (The first answer is for s=<old>,s=<valid>, the second for s=<valid>,s=<old>.)`,
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
    fixWhenValidRejected: (answers, cause) =>
      answers[0]?.status !== undefined &&
      answers[0].status !== null &&
      answers[0].status >= 200 &&
      answers[0].status < 300
        ? "Deduplicate on event_id, but answer 2xx to the repeat too: the platform retries anything else for up to three days."
        : `Its first delivery, a valid signed event, was rejected, so duplicates were never tested: ${cause}.`,
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
