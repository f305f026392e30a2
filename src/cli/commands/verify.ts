import { Command } from "commander";
import { TicketHooksError } from "../../core/errors.js";
import { verify } from "../../core/signing/signature.js";
import { readInput } from "../../io/input.js";
import { safeLine } from "../../terminal/safe-text.js";
import type { CliIo } from "../io.js";
import { intArg, jsonOption, secretOption } from "../options.js";
import { outputFor } from "../output.js";
import { requireSecret } from "./sign.js";

export function verifyCommand(io: CliIo): Command {
  return new Command("verify")
    .description("check a signature header against a file's exact bytes")
    .argument("<file>", "the body as received, or - for standard input")
    .addOption(secretOption())
    .requiredOption("--signature <value>", 'the header value, "t=<unix>,s=<hex>[,s=<hex>]"')
    .option(
      "--tolerance <seconds>",
      "maximum age (and lead) of the timestamp; 0 disables the time check",
      intArg("--tolerance", 0),
      300,
    )
    .option("--now <unix>", "verify as of this Unix time (default: now)", intArg("--now", 0))
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `
Exit code: 0 valid · 1 invalid (the reason is printed) · 2 usage error.

Examples:
  $ ticket-hooks verify body.json --secret whsec_test --signature "t=1700000000,s=5f1c…"
  $ ticket-hooks verify - --signature "$SIG" --tolerance 0 < body.json`,
    )
    .action(async function (this: Command, file: string) {
      const out = outputFor(this, io);
      const opts = this.opts<{
        secret?: string;
        signature: string;
        tolerance: number;
        now?: number;
      }>();
      const secret = requireSecret(opts.secret, "verify");
      const { bytes } = await readInput(file, io.stdin);
      const result = verify(secret, bytes, headerValue(opts.signature), {
        tolerance: opts.tolerance,
        ...(opts.now === undefined ? {} : { now: opts.now }),
      });
      if (out.json) {
        out.record(
          result.ok
            ? { valid: true, timestamp: result.timestamp }
            : { valid: false, reason: result.reason, message: result.message },
        );
      } else if (result.ok) {
        out.line(`${out.c.green("✓ valid")} signature (t=${result.timestamp})`);
      } else {
        // The message may quote the header value (copied from a received request).
        out.line(`${out.c.red("✗ invalid")} ${safeLine(result.message)}`);
      }
      if (!result.ok) {
        throw new TicketHooksError("SIGNATURE_INVALID", `invalid signature: ${result.message}`, {
          kind: "failed",
        });
      }
    });
}

/**
 * The header's value: `sign` prints the whole header line (`X-Signature: t=…,s=…`), which is
 * taken as it is pasted, its name dropped.
 */
function headerValue(given: string): string {
  const named = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:\s*(t=.*)$/s.exec(given.trim());
  return named ? (named[1] as string) : given;
}
