import { writeFileSync } from "node:fs";
import { Command, Option } from "commander";
import { CASE_IDS, type CaseResult, runCheck } from "../../core/check/run.js";
import { describeFsError, TicketHooksError } from "../../core/errors.js";
import { resolveTemplateDir } from "../../core/events/templates.js";
import { createSender } from "../../io/adapters.js";
import { jsonLines, junit, prettyCase, prettySummary } from "../check-reporters.js";
import { requireTarget, URL_ENV } from "../deliveries.js";
import { prettyDiagnosis } from "../diagnoses.js";
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
import { outputFor } from "../output.js";
import { templateLookup } from "../template-source.js";

interface CheckFlags {
  to?: string;
  secret?: string;
  signatureHeader: string;
  timeout: number;
  slowMs: number;
  only?: string[];
  skip?: string[];
  reporter: "pretty" | "json" | "junit";
  output?: string;
  insecure?: boolean;
  json?: boolean;
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
    .addOption(
      new Option("--reporter <kind>", "report format")
        .choices(["pretty", "json", "junit"])
        .default("pretty"),
    )
    .option(
      "-o, --output <file>",
      "write the report to a file (the console still gets the pretty report)",
    )
    .option(
      "--slow-ms <ms>",
      "answers slower than this are a warning",
      intArg("--slow-ms", 1),
      3000,
    )
    .option("--timeout <ms>", "per-request timeout", intArg("--timeout", 1), 10_000)
    .option("--insecure", "skip TLS certificate checks")
    .addOption(new Option("--json", "same as --reporter json").hideHelp())
    .addOption(templatesOption())
    .addOption(allowEnvOption())
    .addHelpText(
      "after",
      `
Cases: ${CASE_IDS.join(", ")}.
Each case reports what was expected, what your receiver answered, and how to fix a failure.
Exit code: 0 every case passed (warnings allowed) · 1 any failed · 2 usage error.

Examples:
  $ ticket-hooks check --to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks check --to $URL --secret "$SECRET" --reporter junit --output check.xml
  $ ticket-hooks check --to $URL --secret "$SECRET" --only stale-timestamp,future-timestamp`,
    )
    .action(async function (this: Command) {
      const out = outputFor(this, io);
      const flags = this.opts<CheckFlags>();
      const reporter = flags.json ? "json" : flags.reporter;
      const to = requireTarget(flags.to);
      if (!flags.secret)
        out.warn(
          "no --secret: the signature cases are skipped (set TICKET_HOOKS_SECRET or pass --secret)",
        );
      out.note(`Using templates from ${resolveTemplateDir(templateLookup(this, io)).dir}`);
      const pretty = !flags.output ? reporter === "pretty" : true;
      const { results, summary, diagnoses } = await runCheck(
        {
          to,
          secret: flags.secret,
          signatureHeader: flags.signatureHeader,
          timeoutMs: flags.timeout,
          slowMs: flags.slowMs,
          only: flags.only,
          skip: flags.skip,
          insecure: flags.insecure === true,
          lookup: templateLookup(this, io),
          env: io.env,
          allowEnv: allowedEnv(this, io),
        },
        {
          createSender,
          onCase: (r: CaseResult) => {
            if (pretty) for (const line of prettyCase(r, out.c)) out.line(line);
          },
        },
      );
      const document =
        reporter === "junit"
          ? junit(results, summary, to)
          : reporter === "json"
            ? jsonLines(results, summary, diagnoses)
            : undefined;
      if (pretty)
        for (const d of diagnoses ?? [])
          for (const line of prettyDiagnosis(d, out.c)) out.line(line);
      if (pretty) out.line(prettySummary(summary, out.c));
      if (flags.output) {
        const text =
          document ??
          `${results.flatMap((r) => prettyCase(r, { red: String, green: String, yellow: String, dim: String, bold: String, cyan: String, magenta: String } as never)).join("\n")}\n`;
        try {
          writeFileSync(flags.output, text);
        } catch (error) {
          throw new TicketHooksError(
            "WRITE_FAILED",
            `cannot write ${flags.output}: ${describeFsError(error)}`,
          );
        }
        out.note(`Report written to ${flags.output} (${reporter})`);
      } else if (document) {
        io.stdout.write(document);
      }
      if (summary.failed > 0) {
        throw new TicketHooksError(
          "CHECK_FAILED",
          `${summary.failed} of ${summary.total} case(s) failed: ${results
            .filter((r) => r.status === "fail")
            .map((r) => r.id)
            .join(", ")}`,
          { kind: "failed" },
        );
      }
    });
}
