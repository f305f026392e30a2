import { Command } from "commander";
import { usageError } from "../../core/errors.js";
import { sign } from "../../core/signing/signature.js";
import { readInput } from "../../io/input.js";
import type { CliIo } from "../io.js";
import { intArg, jsonOption, secretOption, signatureHeaderOption } from "../options.js";
import { outputFor } from "../output.js";

export function requireSecret(secret: string | undefined, what: string): string {
  if (secret === undefined || secret === "") {
    throw usageError(
      "MISSING_SECRET",
      `${what} needs a secret`,
      "Pass --secret S or set TICKET_HOOKS_SECRET.",
    );
  }
  return secret;
}

export function signCommand(io: CliIo): Command {
  return new Command("sign")
    .description("print the signature header for a file's exact bytes")
    .argument("<file>", "the body to sign, or - for standard input")
    .addOption(secretOption())
    .option(
      "-t, --timestamp <unix>",
      "sign as of this Unix time (default: now)",
      intArg("--timestamp", 0),
    )
    .addOption(signatureHeaderOption())
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `
Signs "<timestamp>.<raw body>" with HMAC-SHA256 (hex). The bytes are used as they are: no
re-formatting, so sign the exact file you will send.

Examples:
  $ ticket-hooks sign event.json --secret whsec_test
  $ TICKET_HOOKS_SECRET=whsec_test ticket-hooks sign - < event.json --json`,
    )
    .action(async function (this: Command, file: string) {
      const out = outputFor(this, io);
      const opts = this.opts<{ secret?: string; timestamp?: number; signatureHeader: string }>();
      const secret = requireSecret(opts.secret, "sign");
      const { bytes } = await readInput(file, io.stdin);
      const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
      const value = sign(secret, bytes, timestamp);
      if (out.json) {
        out.record({ header: opts.signatureHeader, value, timestamp, bytes: bytes.length });
      } else out.line(`${opts.signatureHeader}: ${value}`);
    });
}
