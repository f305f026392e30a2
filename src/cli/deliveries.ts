import { type Command, InvalidArgumentError, Option } from "commander";
import { type PlannedRequest, RequestSigner } from "../core/delivery/requests.js";
import type { DeliveryResult } from "../core/delivery/results.js";
import {
  parseTarget,
  resolveTarget,
  type SendDeps,
  type SendResult,
  splitCredentials,
} from "../core/delivery/send.js";
import { TicketHooksError, usageError } from "../core/errors.js";
import { createSender } from "../io/adapters.js";
import { safeBlock, safeLine } from "../terminal/safe-text.js";
import { DeliveryPrinter } from "./delivery-printer.js";
import { intArg, jsonOption, secretOption, signatureHeaderOption } from "./options.js";
import type { Output } from "./output.js";
import { onStopSignal } from "./signals.js";
import { waitForTarget, waitOption } from "./wait.js";

// What send, replay and scenario share: the delivery options, --dry-run, and running deliveries
// with progress, Ctrl-C handling and exit codes.

export const URL_ENV = "TICKET_HOOKS_URL";

export function parseHeader(
  value: string,
  previous: Array<[string, string]> = [],
): Array<[string, string]> {
  const colon = value.indexOf(":");
  const name = value.slice(0, colon).trim();
  if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new InvalidArgumentError(`expected "Name: value", got "${value}".`);
  }
  const headerValue = value.slice(colon + 1).trim();
  if (/[\r\n]/.test(headerValue)) {
    throw new InvalidArgumentError(`the value of ${name} holds a line break (CR or LF).`);
  }
  return [...previous, [name, headerValue]];
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${name} must be a number > 0.`);
    return n;
  };
}

/**
 * Options shared by send, replay and scenario: where, how signed, retries, load, output.
 * `load: false` leaves out --concurrency and --rate (scenario sends its steps in order).
 */
export function addDeliveryOptions(command: Command, { load = true } = {}): Command {
  command
    .addOption(new Option("--to <url>", "receiver URL").env(URL_ENV))
    .addOption(secretOption("endpoint secret; signs every request"))
    .addOption(signatureHeaderOption())
    .option("-H, --header <header>", 'extra header "Name: value" (repeatable)', parseHeader)
    .option("--timeout <ms>", "per-attempt timeout", intArg("--timeout", 1), 10_000)
    .option(
      "--retries <n>",
      "retries on network errors, timeouts, 5xx and 429",
      intArg("--retries", 0),
      0,
    )
    .option("--backoff <ms>", "first retry delay, doubled each time", intArg("--backoff", 0), 500)
    .option(
      "--max-backoff <ms>",
      "longest retry delay (also caps Retry-After)",
      intArg("--max-backoff", 0),
      30_000,
    );
  if (load) {
    command
      .option(
        "--concurrency <n>",
        "requests in flight at once",
        intArg("--concurrency", 1, 10_000),
        1,
      )
      .option(
        "--rate <per-second>",
        "at most this many requests per second",
        positiveNumber("--rate"),
      );
  }
  return command
    .option("--insecure", "skip TLS certificate checks (with a warning)")
    .addOption(waitOption())
    .option("--dry-run", "print the exact requests and send nothing")
    .addOption(jsonOption())
    .option("-v, --verbose", "show response headers and bodies")
    .option("-q, --quiet", "print only the summary");
}

export interface DeliveryFlags {
  to?: string;
  secret?: string;
  signatureHeader: string;
  header?: Array<[string, string]>;
  timeout: number;
  retries: number;
  backoff: number;
  maxBackoff: number;
  concurrency: number;
  rate?: number;
  insecure?: boolean;
  /** --wait: milliseconds to wait for the target to answer before the first request. */
  wait?: number;
  dryRun?: boolean;
  /** replay: the recorded signatures are sent (no note about unsigned requests). */
  keepSignature?: boolean;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/** The receiver's URL, checked; a local address without a scheme gets http:// and a note. */
export function requireTarget(to: string | undefined, out?: Pick<Output, "note">): string {
  if (!to) {
    throw usageError(
      "MISSING_URL",
      "no receiver URL",
      `Pass --to URL, set ${URL_ENV}, or put "to" in ticket-hooks.config.json.`,
    );
  }
  const { to: plain, user } = splitCredentials(to);
  const resolved = resolveTarget(plain);
  parseTarget(resolved.to);
  if (resolved.note) out?.note(`note: ${resolved.note}`);
  if (user !== null) {
    out?.note(
      `note: sending Basic auth for user "${safeLine(user)}" from the URL (the password is not shown)`,
    );
  }
  return resolved.to;
}

const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization"]);

/** Headers as shown: credentials (Authorization) masked, their scheme kept. */
function withCredentialsMasked(headers: Record<string, string>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) {
      shown[name] = value;
      continue;
    }
    // Nothing of the credentials: a Basic one's last characters come from the password.
    const space = value.indexOf(" ");
    shown[name] = space === -1 ? "****" : `${value.slice(0, space)} ****`;
  }
  return shown;
}

/** The `Authorization` header that `user:password@` in a receiver's URL makes, if any. */
export function credentialHeaders(to: string | undefined): Record<string, string> {
  const authorization = to === undefined ? null : splitCredentials(to).authorization;
  return authorization === null ? {} : { authorization };
}

/**
 * The delivery flags with --to checked (a default for --dry-run without one) and its
 * `user:password@` moved into an `Authorization` header (an explicit -H one wins).
 */
export function targetFlags<F extends DeliveryFlags>(flags: F, out: Output): F & { to: string } {
  const to = flags.dryRun && !flags.to ? "http://localhost:3000/" : requireTarget(flags.to, out);
  const header: Array<[string, string]> = [
    ...Object.entries(credentialHeaders(flags.to)),
    ...(flags.header ?? []),
  ];
  return { ...flags, to, ...(header.length > 0 ? { header } : {}) };
}

export function deliveryOptions(flags: DeliveryFlags) {
  return {
    to: requireTarget(flags.to),
    secret: flags.secret,
    signatureHeader: flags.signatureHeader,
    headers: Object.fromEntries(flags.header ?? []),
    timeoutMs: flags.timeout,
    retries: flags.retries,
    backoffMs: flags.backoff,
    maxBackoffMs: flags.maxBackoff,
    concurrency: flags.concurrency,
    rate: flags.rate,
    insecure: flags.insecure === true,
    collectResults: false,
    keepResponseHeaders: flags.verbose === true,
  };
}

/** --dry-run: the exact requests, signed now, and nothing sent. */
export async function printDryRun(
  out: Output,
  requests: Iterable<PlannedRequest> | AsyncIterable<PlannedRequest>,
  flags: DeliveryFlags,
  to: string,
): Promise<void> {
  const signer = new RequestSigner({
    secret: flags.secret,
    signatureHeader: flags.signatureHeader,
    headers: Object.fromEntries(flags.header ?? []),
  });
  const url = parseTarget(to).href;
  let n = 0;
  for await (const request of requests) {
    const headers =
      request.signature === undefined
        ? signer.headers(request.body, Math.floor(Date.now() / 1000))
        : signer.headersWith(request.signature);
    const body = request.body.toString();
    const shown = withCredentialsMasked(headers);
    if (out.json) {
      out.record({ type: "request", method: "POST", url, headers: shown, body });
    } else {
      if (n > 0) out.line();
      // Recorded and captured bodies and headers are outside text.
      out.line(out.c.bold(`POST ${safeLine(url)}`));
      for (const [k, v] of Object.entries(shown))
        out.line(`${out.c.dim(`${safeLine(k)}:`)} ${safeLine(v)}`);
      out.line();
      out.line(safeBlock(body));
    }
    n++;
  }
  out.note(`Dry run: ${n} request(s) shown, nothing sent.`);
}

/** What is said (and waited for, with --wait) before the first request. */
async function beforeDeliveries(out: Output, flags: DeliveryFlags): Promise<void> {
  if (flags.insecure) out.warn("--insecure: TLS certificates are not checked");
  if (flags.wait && flags.to) {
    await waitForTarget(flags.to, flags.wait, out.io, out, { insecure: flags.insecure === true });
  }
  if (flags.secret === undefined && !flags.keepSignature) {
    out.note(
      "No secret: requests are sent unsigned (pass --secret or set TICKET_HOOKS_SECRET to sign them).",
    );
  }
}

/** Runs deliveries with a printer, Ctrl-C handling and exit codes. Shared by send and replay. */
export async function runDeliveries(
  out: Output,
  flags: DeliveryFlags,
  total: number,
  run: (
    deps: SendDeps & { onResult: (r: DeliveryResult) => void; signal: AbortSignal },
  ) => Promise<SendResult>,
): Promise<void> {
  await beforeDeliveries(out, flags);
  const printer = new DeliveryPrinter(out, {
    total,
    verbose: flags.verbose === true,
    quiet: flags.quiet === true,
  });
  const controller = new AbortController();
  const stopListening = onStopSignal(
    out.io.signals,
    () => {
      out.note("\nInterrupted: finishing requests in flight (Ctrl-C again to force)…");
      controller.abort();
    },
    () => out.io.exit(130),
  );
  let outcome: SendResult;
  try {
    outcome = await run({
      onResult: (r) => printer.result(r),
      signal: controller.signal,
      createSender,
      clock: out.io.clock,
    });
  } finally {
    stopListening();
    printer.stopProgress();
  }
  printer.summary(outcome.summary, flags.quiet === true);
  if (controller.signal.aborted) {
    throw new TicketHooksError(
      "INTERRUPTED",
      `interrupted: ${outcome.summary.sent}${total ? ` of ${total}` : ""} sent`,
      {
        kind: "interrupted",
      },
    );
  }
  const failed = outcome.summary.sent - outcome.summary.ok;
  if (failed > 0) {
    const first = printer.firstError;
    throw new TicketHooksError(
      "DELIVERY_FAILED",
      failed === 1 && first
        ? `delivery failed: ${first}`
        : `${failed} of ${outcome.summary.sent} deliveries failed${first ? ` (first: ${first})` : ""}`,
      { kind: "failed" },
    );
  }
}
