import { Command, InvalidArgumentError, Option } from "commander";
import { type ComposedEvent, invalidEventError } from "../../core/compose.js";
import { CliError, ExitCode, usageError } from "../../core/errors.js";
import { isPlainObject, parseJsonOrThrow } from "../../core/json.js";
import { parseAssignment } from "../../core/overrides.js";
import { bodyFactory, type PlannedRequest, RequestSigner } from "../../core/requests.js";
import { composeAll, parseTarget, type SendOptions } from "../../core/send.js";
import { readTextFile } from "../../core/templates.js";
import { validateEvent } from "../../core/validate.js";
import { editText } from "../../io/editor.js";
import { DeliveryPrinter } from "../delivery-printer.js";
import type { CliIo } from "../io.js";
import {
  intArg,
  jsonOption,
  secretOption,
  signatureHeaderOption,
  templatesOption,
} from "../options.js";
import type { Output } from "../output.js";
import { outputFor } from "../program.js";
import { describeOrigin, templateLookup } from "../template-source.js";

export const URL_ENV = "TICKET_HOOKS_URL";

const collect = (value: string, previous: string[] = []) => [...previous, value];

function parseHeader(
  value: string,
  previous: Array<[string, string]> = [],
): Array<[string, string]> {
  const colon = value.indexOf(":");
  const name = value.slice(0, colon).trim();
  if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new InvalidArgumentError(`expected "Name: value", got "${value}".`);
  }
  return [...previous, [name, value.slice(colon + 1).trim()]];
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new InvalidArgumentError(`${name} must be a number > 0.`);
    return n;
  };
}

/** Options shared by send, replay and scenario: where, how signed, retries, load, output. */
export function addDeliveryOptions(command: Command): Command {
  return command
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
    )
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
    )
    .option("--insecure", "skip TLS certificate checks (with a warning)")
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
  dryRun?: boolean;
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export function requireTarget(to: string | undefined): string {
  if (!to) {
    throw usageError(
      "MISSING_URL",
      "no receiver URL",
      `Pass --to URL, set ${URL_ENV}, or put "to" in ticket-hooks.config.json.`,
    );
  }
  parseTarget(to);
  return to;
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
    if (out.json) {
      out.record({ type: "request", method: "POST", url, headers, body });
    } else {
      if (n > 0) out.line();
      out.line(out.c.bold(`POST ${url}`));
      for (const [k, v] of Object.entries(headers)) out.line(`${out.c.dim(`${k}:`)} ${v}`);
      out.line();
      out.line(body);
    }
    n++;
  }
  out.note(`Dry run: ${n} request(s) shown, nothing sent.`);
}

/** Runs deliveries with a printer, Ctrl-C handling and exit codes. Shared by send and replay. */
export async function runDeliveries(
  out: Output,
  flags: DeliveryFlags,
  total: number,
  run: (deps: {
    onResult: (r: import("../../core/delivery.js").DeliveryResult) => void;
    signal: AbortSignal;
  }) => Promise<import("../../core/send.js").SendResult>,
): Promise<void> {
  if (flags.insecure) out.warn("--insecure: TLS certificates are not checked");
  const printer = new DeliveryPrinter(out, {
    total,
    verbose: flags.verbose === true,
    quiet: flags.quiet === true,
  });
  const controller = new AbortController();
  const onSigint = () => {
    out.note("\nInterrupted: finishing requests in flight (Ctrl-C again to force)…");
    controller.abort();
    process.once("SIGINT", () => process.exit(130));
  };
  process.once("SIGINT", onSigint);
  let outcome: import("../../core/send.js").SendResult;
  try {
    outcome = await run({ onResult: (r) => printer.result(r), signal: controller.signal });
  } finally {
    process.removeListener("SIGINT", onSigint);
    printer.stopProgress();
  }
  printer.summary(outcome.summary, flags.quiet === true);
  if (controller.signal.aborted) {
    throw new CliError(
      "INTERRUPTED",
      `interrupted: ${outcome.summary.sent}${total ? ` of ${total}` : ""} sent`,
      {
        exitCode: 130,
      },
    );
  }
  const failed = outcome.summary.sent - outcome.summary.ok;
  if (failed > 0) {
    const first = printer.firstError;
    throw new CliError(
      "DELIVERY_FAILED",
      failed === 1 && first
        ? `delivery failed: ${first}`
        : `${failed} of ${outcome.summary.sent} deliveries failed${first ? ` (first: ${first})` : ""}`,
      { exitCode: ExitCode.failed },
    );
  }
}

interface SendFlags extends DeliveryFlags {
  set?: string[];
  setString?: string[];
  unset?: string[];
  data?: string;
  fresh?: boolean;
  newTicket?: boolean;
  edit?: boolean;
  skipValidation?: boolean;
  count: number;
  templates?: string;
}

export function sendCommand(io: CliIo): Command {
  const command = new Command("send")
    .description("send events to a URL exactly as the platform would (POST, JSON, signed)")
    .argument(
      "<events...>",
      "created, updated, assigned, resolved, all, an event type, or a JSON file",
    )
    .option(
      "--set <path=value>",
      "set a field; value parsed as JSON when valid, else a string (repeatable)",
      collect,
    )
    .option(
      "--set-string <path=value>",
      "set a field to a string, never parsed (repeatable)",
      collect,
    )
    .option("--unset <path>", "remove a field (repeatable)", collect)
    .option("--data <file>", "JSON object deep-merged into each event")
    .option("--fresh", "new event_id, timestamps moved so the newest is now")
    .option("--new-ticket", "like --fresh, plus new ticket and reply ids")
    .option("--edit", "open each event in $VISUAL/$EDITOR before sending")
    .option("--skip-validation", "send events that fail validation (to test a rejection path)")
    .option(
      "--count <n>",
      "send each event n times (fresh event_id each when n > 1)",
      intArg("--count", 1),
      1,
    )
    .addOption(templatesOption());
  addDeliveryOptions(command).addHelpText(
    "after",
    `
Paths look like data.ticket.title or data.ticket.replies[0].text. --data merges first, then
--set, --set-string and --unset apply in that order.

Exit code: 0 every delivery got a 2xx · 1 any failed after its retries · 2 usage error.

Examples:
  $ ticket-hooks send created --to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks send all --to http://localhost:3000/webhooks --fresh
  $ ticket-hooks send updated --to $URL --set data.ticket.title="Refund please" --unset data.ticket.subcategory
  $ ticket-hooks send ./my-event.json --to $URL --retries 5 --backoff 200
  $ ticket-hooks send created --to $URL --count 1000 --concurrency 32 --quiet
  $ ticket-hooks send resolved --to $URL --dry-run`,
  );
  return command.action(async function (this: Command, specs: string[]) {
    const out = outputFor(this, io);
    const flags = this.opts<SendFlags>();
    const to = flags.dryRun && !flags.to ? "http://localhost:3000/" : requireTarget(flags.to);
    const data = flags.data ? parseJsonOrThrow(readTextFile(flags.data), flags.data) : undefined;
    if (data !== undefined && !isPlainObject(data)) {
      throw usageError("BAD_DATA", `--data ${flags.data} must hold a JSON object`);
    }
    const options: SendOptions = {
      ...deliveryOptions({ ...flags, to }),
      events: specs,
      count: flags.count,
      lookup: templateLookup(this, io),
      env: io.env,
      overrides: {
        ...(data === undefined ? {} : { data }),
        set: [
          ...(flags.set ?? []).map((s) => parseAssignment(s)),
          ...(flags.setString ?? []).map((s) => parseAssignment(s, true)),
        ],
        unset: flags.unset ?? [],
      },
      fresh: flags.fresh === true,
      newTicket: flags.newTicket === true,
      skipValidation: flags.skipValidation === true,
    };
    let events = composeAll({ ...options, skipValidation: true });
    for (const e of events) {
      out.note(
        `Using ${e.origin === "file" ? "file" : "template"} ${e.file}${e.origin === "file" ? "" : ` (${describeOrigin(e.origin)})`}`,
      );
    }
    if (flags.edit) events = events.map((e) => editEvent(e, io));
    const invalid = events.find((e) => !e.validation.valid);
    if (invalid && !options.skipValidation) throw invalidEventError(invalid);
    for (const e of events) {
      for (const w of e.validation.warnings) out.warn(`${e.file}: ${w.message}`);
    }
    if (flags.dryRun) {
      await printDryRun(
        out,
        events.map((e) => bodyFactory(e).first),
        flags,
        to,
      );
      return;
    }
    const { deliver } = await import("../../core/send.js");
    await runDeliveries(out, flags, events.length * flags.count, (deps) =>
      deliver(events, options, deps),
    );
  });
}

function editEvent(event: ComposedEvent, io: CliIo): ComposedEvent {
  const edited = editText(`${JSON.stringify(event.value, null, 2)}\n`, "event.json", io.env);
  let value: unknown;
  try {
    value = parseJsonOrThrow(edited, `${event.file} (as edited)`);
  } catch (error) {
    if (error instanceof CliError) {
      throw new CliError(error.code, `${error.message}; nothing was sent`, {
        hint: "Run again with --edit and fix the JSON.",
      });
    }
    throw error;
  }
  return { ...event, value, validation: validateEvent(value) };
}
