import { existsSync } from "node:fs";
import { Command } from "commander";
import { looksLikePath, unknownEventError } from "../../core/delivery/compose.js";
import { TicketHooksError } from "../../core/errors.js";
import { findEvent } from "../../core/events/catalogue.js";
import { hasPlaceholders, renderTemplate } from "../../core/events/placeholders.js";
import { loadTemplate } from "../../core/events/templates.js";
import { parseJsonOrThrow } from "../../core/json.js";
import { type ValidationResult, validateEvent } from "../../core/validation/validate.js";
import { readInput } from "../../io/input.js";
import { safeLine } from "../../terminal/safe-text.js";
import type { CliIo } from "../io.js";
import { allowEnvOption, allowedEnv, jsonOption, templatesOption } from "../options.js";
import { type Output, outputFor } from "../output.js";
import { describeOrigin, templateLookup } from "../template-source.js";

/** Prints one verdict: a line, then every error (path, expected, actual) and warning, indented. */
export function printVerdict(out: Output, input: string, result: ValidationResult): void {
  const c = out.c;
  // The input's name, its event type and the errors' paths and values are outside text.
  const type = result.eventType ? safeLine(result.eventType) : "(unknown event type)";
  const counts = [
    result.errors.length > 0 ? `${result.errors.length} error(s)` : "",
    result.warnings.length > 0 ? `${result.warnings.length} warning(s)` : "",
  ].filter(Boolean);
  const head = result.valid ? c.green("✓ valid  ") : c.red("✗ invalid");
  out.line(`${head} ${safeLine(input)}  ${type}${counts.length ? `  (${counts.join(", ")})` : ""}`);
  for (const e of result.errors) {
    out.line(`    ${c.red("error")} ${c.bold(safeLine(e.path))}: ${safeLine(e.message)}`);
    out.line(
      `          ${safeLine(`expected ${e.expected}, got ${e.actual}`)}  ${c.dim(`[${e.rule}]`)}`,
    );
  }
  for (const w of result.warnings) {
    out.line(`    ${c.yellow("warning")} ${c.bold(safeLine(w.path))}: ${safeLine(w.message)}`);
  }
}

export function validateCommand(io: CliIo): Command {
  return new Command("validate")
    .description("check events against the JSON Schemas and the semantic rules")
    .argument("<inputs...>", "JSON files, - for standard input, or an event name for its template")
    .addOption(templatesOption())
    .addOption(allowEnvOption())
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `
Placeholders ({{now}}, {{uuid}}, …) are rendered before validating.
Exit code: 0 all valid · 1 any invalid · 2 an input could not be read or parsed.

Examples:
  $ ticket-hooks validate my-event.json
  $ curl -s https://example.test/last-event | ticket-hooks validate -
  $ ticket-hooks validate created updated --json`,
    )
    .action(async function (this: Command, inputs: string[]) {
      await runValidate(this, inputs, io);
    });
}

/** An input's value: a template (a bare event name that is no file), a file, or standard input. */
async function inputValue(
  input: string,
  command: Command,
  io: CliIo,
  out: Output,
): Promise<{ value: unknown; source: string }> {
  if (input !== "-" && !existsSync(input) && findEvent(input)) {
    const template = loadTemplate(input, templateLookup(command, io));
    out.note(`Using template ${template.file} (${describeOrigin(template.origin)})`);
    return { value: template.value, source: template.file };
  }
  if (input !== "-" && !existsSync(input) && !looksLikePath(input)) {
    throw unknownEventError(input);
  }
  const { bytes } = await readInput(input, io.stdin);
  const value = parseJsonOrThrow(bytes.toString("utf8"), input === "-" ? "<stdin>" : input);
  return { value, source: input };
}

/** One input checked and its verdict printed: valid, invalid, or unreadable (said on stderr). */
async function validateOne(
  input: string,
  command: Command,
  io: CliIo,
  out: Output,
): Promise<"valid" | "invalid" | "unreadable"> {
  try {
    let { value, source } = await inputValue(input, command, io, out);
    if (hasPlaceholders(value)) {
      value = renderTemplate(value, { source, env: io.env, allowEnv: allowedEnv(command, io) });
    }
    const result = validateEvent(value);
    if (!out.json) printVerdict(out, input, result);
    else {
      out.record({
        input,
        valid: result.valid,
        event_type: result.eventType ?? null,
        errors: result.errors,
        warnings: result.warnings,
      });
    }
    return result.valid ? "valid" : "invalid";
  } catch (error) {
    if (!(error instanceof TicketHooksError)) throw error;
    if (out.json) out.record({ input, valid: false, error: error.message });
    out.error(error.message, error.hint);
    return "unreadable";
  }
}

/** validate: each input's verdict; exit 1 when any is invalid, 2 when any cannot be read. */
async function runValidate(command: Command, inputs: string[], io: CliIo): Promise<void> {
  const out = outputFor(command, io);
  const verdicts: string[] = [];
  for (const input of inputs) verdicts.push(await validateOne(input, command, io, out));
  const unreadable = verdicts.filter((v) => v === "unreadable").length;
  const invalid = verdicts.filter((v) => v === "invalid").length;
  if (unreadable > 0) {
    throw new TicketHooksError(
      "INPUT_ERROR",
      `${unreadable} of ${inputs.length} input(s) could not be read or parsed`,
    );
  }
  if (invalid > 0) {
    throw new TicketHooksError("INVALID", `${invalid} of ${inputs.length} input(s) invalid`, {
      kind: "failed",
    });
  }
}
