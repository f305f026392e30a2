import { Command, Option } from "commander";
import {
  DIAGNOSIS_IDS,
  type DoctorResult,
  runDoctor,
  spokenOffset,
} from "../../core/check/doctor.js";
import { failure } from "../../core/errors.js";
import { createSender } from "../../io/adapters.js";
import { safeLine } from "../../terminal/safe-text.js";
import { credentialHeaders, requireTarget, URL_ENV } from "../deliveries.js";
import { diagnosisRecord, prettyDiagnosis } from "../diagnoses.js";
import type { CliIo } from "../io.js";
import {
  allowEnvOption,
  allowedEnv,
  intArg,
  secretOption,
  signatureHeaderOption,
  templatesOption,
} from "../options.js";
import { type Output, outputFor } from "../output.js";
import { templateLookup } from "../template-source.js";
import { requireSecret } from "./sign.js";

interface DoctorFlags {
  to?: string;
  secret?: string;
  signatureHeader: string;
  timeout: number;
  insecure?: boolean;
  reporter: "pretty" | "json";
  json?: boolean;
}

export function doctorCommand(io: CliIo): Command {
  return new Command("doctor")
    .description("find why your receiver rejects valid signatures: probes that name the bug")
    .addOption(new Option("--to <url>", "your receiver's URL").env(URL_ENV))
    .addOption(secretOption("your endpoint's secret"))
    .addOption(signatureHeaderOption())
    .addOption(
      new Option("--reporter <kind>", "report format")
        .choices(["pretty", "json"])
        .default("pretty"),
    )
    .option("--json", "same as --reporter json")
    .option("--timeout <ms>", "per-request timeout", intArg("--timeout", 1), 10_000)
    .option("--insecure", "skip TLS certificate checks")
    .addOption(templatesOption())
    .addOption(allowEnvOption())
    .addHelpText(
      "after",
      `
Diagnoses: ${DIAGNOSIS_IDS.join(", ")}.
Exit code: 0 nothing wrong found · 1 a diagnosis (or rejections nothing explains) · 2 usage error.

Examples:
  $ ticket-hooks doctor --to http://localhost:3000/webhooks --secret "$SECRET"
  $ ticket-hooks doctor --to $URL --secret "$SECRET" --reporter json`,
    )
    .action(async function (this: Command) {
      const out = outputFor(this, io);
      const flags = this.opts<DoctorFlags>();
      const json = flags.json === true || flags.reporter === "json";
      const to = requireTarget(flags.to, out);
      const secret = requireSecret(flags.secret, "doctor");
      const result = await runDoctor(
        {
          to,
          secret,
          signatureHeader: flags.signatureHeader,
          timeoutMs: flags.timeout,
          insecure: flags.insecure === true,
          headers: credentialHeaders(flags.to),
          lookup: templateLookup(this, io),
          env: io.env,
          allowEnv: allowedEnv(this, io),
        },
        { createSender, clock: io.clock },
      );
      const { diagnoses, unexplained } = result;
      if (json) printJson(result, out);
      else printPretty(result, flags.signatureHeader, out);
      if (diagnoses.length > 0) {
        throw failure("DOCTOR_DIAGNOSIS", `doctor: ${diagnoses.map((d) => d.id).join(", ")}`);
      }
      if (unexplained) throw failure("DOCTOR_UNEXPLAINED", `doctor: ${unexplained}`);
    });
}

/** NDJSON: a line per diagnosis, then the summary. */
function printJson(result: DoctorResult, out: Output): void {
  const { baseline, diagnoses, unexplained, window, probes } = result;
  for (const d of diagnoses) out.io.stdout.write(`${diagnosisRecord(d)}\n`);
  out.record({
    type: "summary",
    baseline,
    diagnoses: diagnoses.length,
    unexplained,
    window,
    probes,
    probed: result.probed,
  });
}

function printPretty(result: DoctorResult, signatureHeader: string, out: Output): void {
  const { baseline, diagnoses, unexplained, window, probes } = result;
  const answer = baseline.accepted ? "accepted" : "rejected";
  out.line(
    `baseline: a valid event signed as documented in ${signatureHeader} was ${answer} (${baseline.status})`,
  );
  for (const d of diagnoses) for (const line of prettyDiagnosis(d, out.c)) out.line(line);
  if (unexplained) out.line(`${out.c.red("✗ unexplained")}  ${safeLine(unexplained)}`);
  if (window && window.oldest !== null && window.newest !== null) {
    out.line(
      `accepted t= from ${spokenOffset(window.oldest)} to ${spokenOffset(window.newest)} of this machine's clock`,
    );
  }
  if (diagnoses.length === 0 && !unexplained) {
    out.line(
      out.c.green(`✓ none of the bugs probed for: ${result.probed.join(", ")} (${probes} probes)`),
    );
  } else out.note(`${probes} probes sent`);
}
