import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Command, Option } from "commander";
import { CASE_IDS } from "../../core/check/cases.js";
import { type CheckOptions, type CheckReport, unreachableReport } from "../../core/check/report.js";
import { runCheck } from "../../core/check/run.js";
import { describeFsError, TicketHooksError, usageError } from "../../core/errors.js";
import { resolveTemplateDir } from "../../core/events/templates.js";
import { createSender } from "../../io/adapters.js";
import {
  githubAnnotations,
  jsonLines,
  junit,
  markdownReport,
  prettyReport,
} from "../check-reporters.js";
import { credentialHeaders, requireTarget, URL_ENV } from "../deliveries.js";
import { commaList } from "../filters.js";
import type { CliIo } from "../io.js";
import {
  allowEnvOption,
  allowedEnv,
  intArg,
  secretOption,
  signatureHeaderOption,
  templatesOption,
} from "../options.js";
import { type Output, outputFor, type Paint } from "../output.js";
import {
  collectReporter,
  REPORTER_KINDS,
  type ReporterKind,
  type ReporterSpec,
  reportersOf,
  writeReports,
} from "../reporters.js";
import { onStopSignal, signalExitCode } from "../signals.js";
import { templateLookup } from "../template-source.js";
import { waitForTarget, waitOption } from "../wait.js";

interface CheckFlags {
  to?: string;
  secret?: string;
  signatureHeader: string;
  timeout: number;
  slowMs: number;
  only?: string[];
  skip?: string[];
  reporter?: ReporterSpec[];
  output?: string;
  insecure?: boolean;
  json?: boolean;
  wait?: number;
}

export function checkCommand(io: CliIo): Command {
  return new Command("check")
    .description(
      "run the conformance suite against your receiver (forged, stale, duplicate, malformed…)",
    )
    .addOption(new Option("--to <url>", "your receiver's URL").env(URL_ENV))
    .addOption(secretOption("your endpoint's secret; without it the signature cases are skipped"))
    .addOption(signatureHeaderOption())
    .option("--only <ids>", "run only these cases (comma-separated)", commaList)
    .option("--skip <ids>", "skip these cases (comma-separated)", commaList)
    .option(
      "--reporter <kind[:file]>",
      `report format, to stdout or to a file: ${REPORTER_KINDS.join(", ")} (repeatable; default pretty)`,
      collectReporter,
    )
    .option(
      "-o, --output <file>",
      "write the report given by --reporter to a file (the console still gets the pretty report)",
    )
    .option(
      "--slow-ms <ms>",
      "answers slower than this are a warning",
      intArg("--slow-ms", 1),
      3000,
    )
    .option("--timeout <ms>", "per-request timeout", intArg("--timeout", 1), 10_000)
    .option("--insecure", "skip TLS certificate checks")
    .addOption(waitOption())
    .option("--json", "same as --reporter json (NDJSON)")
    .addOption(templatesOption())
    .addOption(allowEnvOption())
    .addHelpText("after", HELP)
    .action(async function (this: Command) {
      await runCheckCommand(this, io);
    });
}

const HELP = `
Cases: ${CASE_IDS.join(", ")}.
Each case reports what was expected, what your receiver answered, and how to fix a failure.
A negative case (a forged or broken request answered 4xx) passes only when the receiver accepts
the valid event (valid-created) in the same run; otherwise it is inconclusive and the report leads
with the root cause. An unreachable receiver stops the run at the first request.
Exit code: 0 every case passed (warnings allowed) · 1 any failed or inconclusive, or the receiver
is unreachable · 2 usage error · 130 interrupted (the partial report is still printed and written).

Examples:
  $ ticket-hooks check --to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks check --to $URL --secret "$SECRET" --reporter junit --output check.xml
  $ ticket-hooks check --to $URL --reporter pretty --reporter junit:check.xml --reporter github
  $ ticket-hooks check --to $URL --secret "$SECRET" --only stale-timestamp,future-timestamp`;

/** check: run the suite (Ctrl-C stops after the case in flight), report, and judge the run. */
async function runCheckCommand(command: Command, io: CliIo): Promise<void> {
  const out = outputFor(command, io);
  const flags = command.opts<CheckFlags>();
  const to = requireTarget(flags.to, out);
  const reporters = reportersOf(flags);
  for (const r of reporters) if (r.file) assertWritable(r.file, resolve(io.cwd, r.file));
  if (!flags.secret) {
    out.warn(
      "no --secret: the signature cases are skipped (set TICKET_HOOKS_SECRET or pass --secret)",
    );
  }
  const lookup = templateLookup(command, io);
  out.note(`Using templates from ${resolveTemplateDir(lookup).dir}`);
  const options: CheckOptions = {
    to,
    secret: flags.secret,
    signatureHeader: flags.signatureHeader,
    timeoutMs: flags.timeout,
    slowMs: flags.slowMs,
    only: flags.only,
    skip: flags.skip,
    insecure: flags.insecure === true,
    headers: credentialHeaders(flags.to),
    lookup,
    env: io.env,
    allowEnv: allowedEnv(command, io),
  };
  const started = performance.now();
  try {
    if (flags.wait)
      await waitForTarget(to, flags.wait, io, out, { insecure: flags.insecure === true });
    const report = await runWithProgress(options, out, io);
    writeCheckReports(report, reporters, to, out, io);
    judgeRun(report);
  } catch (error) {
    // CI's report steps still get their files: one failed case naming the cause.
    if (error instanceof TicketHooksError && error.code === "UNREACHABLE") {
      const report = unreachableReport(error.message, started);
      writeCheckReports(
        report,
        reporters.filter((r) => r.file !== undefined || r.kind === "github"),
        to,
        out,
        io,
      );
    }
    throw error;
  }
}

/**
 * The suite run, Ctrl-C stopping it after the case in flight. The report is printed whole at the
 * end (it leads with the root cause); meanwhile a terminal shows which case has run.
 */
async function runWithProgress(
  options: CheckOptions,
  out: Output,
  io: CliIo,
): Promise<CheckReport> {
  const abort = new AbortController();
  const stopListening = onStopSignal(
    io.signals,
    () => {
      out.warn("stopping: the case in flight finishes, then the partial report");
      abort.abort();
    },
    (signal) => io.exit(signalExitCode(signal)),
  );
  const progress = io.stderr.isTTY === true;
  let shown = 0;
  try {
    return await runCheck(options, {
      createSender,
      signal: abort.signal,
      onCase: (r) => {
        if (!progress) return;
        shown++;
        io.stderr.write(`\r\x1b[K${out.e.dim(`checked ${shown}: ${r.id}`)}`);
      },
    });
  } finally {
    stopListening();
    if (shown > 0) io.stderr.write("\r\x1b[K");
  }
}

/** The check's report for the reporters: each kind's text, and pretty in colour on the console. */
function writeCheckReports(
  report: CheckReport,
  reporters: readonly ReporterSpec[],
  to: string,
  out: Output,
  io: CliIo,
): void {
  writeReports(
    reporters,
    {
      text: (kind) => reportText(report, kind, to),
      summary: () => markdownReport(report, to),
      pretty: () => {
        for (const line of prettyReport(report, out.c)) out.line(line);
      },
    },
    out,
    io,
  );
}

/** The report as a reporter writes it (pretty as plain text, for a file). */
function reportText(report: CheckReport, kind: ReporterKind, to: string): string {
  if (kind === "junit") return junit(report, to);
  if (kind === "json") return jsonLines(report);
  if (kind === "markdown") return markdownReport(report, to);
  if (kind === "github") return githubAnnotations(report);
  return `${prettyReport(report, PLAIN).join("\n")}\n`;
}

/** Interrupted, or any case failed or inconclusive: the run's exit code says so. */
function judgeRun(report: CheckReport): void {
  const { results, summary } = report;
  if (report.interrupted) {
    throw new TicketHooksError(
      "INTERRUPTED",
      `check interrupted: ${summary.total} case(s) run, the report covers those`,
      { kind: "interrupted" },
    );
  }
  const ids = (status: string) =>
    results
      .filter((r) => r.status === status)
      .map((r) => r.id)
      .join(", ");
  const parts = [
    summary.failed > 0
      ? `${summary.failed} of ${summary.total} case(s) failed: ${ids("fail")}`
      : "",
    summary.inconclusive > 0 ? `${summary.inconclusive} inconclusive: ${ids("inconclusive")}` : "",
  ].filter(Boolean);
  if (parts.length === 0) return;
  throw new TicketHooksError("CHECK_FAILED", parts.join("; "), {
    kind: "failed",
    ...(report.rootCauses[0] ? { hint: `root cause: ${report.rootCauses[0].message}` } : {}),
  });
}

const PLAIN: Paint = new Proxy({} as Paint, { get: () => String });

/** A report path that cannot be written is an error before any case runs. */
function assertWritable(shown: string, file: string): void {
  const fail = (why: string) =>
    usageError("OUTPUT_NOT_WRITABLE", `cannot write the report to ${shown}: ${why}`);
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw fail(describeFsError(error));
  }
  if (stat?.isDirectory()) throw fail("it is a folder, not a file");
  const target = stat ? file : dirname(file);
  try {
    if (!stat && !statSync(target).isDirectory()) throw fail(`${target} is not a folder`);
    accessSync(target, constants.W_OK);
  } catch (error) {
    if (error instanceof TicketHooksError) throw error;
    throw fail(
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? `the folder ${target} does not exist`
        : describeFsError(error),
    );
  }
}
