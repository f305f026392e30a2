import { copyFileSync, existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { Command, Option } from "commander";
import { describeFsError, TicketHooksError } from "../../core/errors.js";
import { EVENTS } from "../../core/events/catalogue.js";
import {
  BUNDLED_TEMPLATES_DIR,
  DEFAULT_LOCAL_TEMPLATES_DIR,
  templateFileName,
} from "../../core/events/templates.js";
import { ensureFolder } from "../folders.js";
import type { CliIo } from "../io.js";
import { jsonOption } from "../options.js";
import { type Output, outputFor } from "../output.js";
import {
  RECEIVER_EXAMPLES,
  RECEIVER_KINDS,
  RECEIVERS_DIR,
  type ReceiverExample,
} from "../receivers.js";

export function initCommand(io: CliIo): Command {
  return new Command("init")
    .description("copy the four templates into a folder for editing, or write a receiver")
    .argument(
      "[dir]",
      `destination folder (default: ${DEFAULT_LOCAL_TEMPLATES_DIR}; with --receiver: ., or ./webhook-receiver for go)`,
    )
    .option("-f, --force", "overwrite files that already exist")
    .addOption(
      new Option(
        "--receiver <kind>",
        "write an example receiver that verifies signatures, instead of the templates",
      ).choices(RECEIVER_KINDS),
    )
    .addOption(jsonOption())
    .addHelpText("after", HELP)
    .action(function (this: Command, given: string | undefined) {
      const out = outputFor(this, io);
      const { force, receiver } = this.opts<{ force?: boolean; receiver?: string }>();
      if (receiver !== undefined) writeReceiver(receiver, given, force === true, out, io);
      else copyTemplates(given ?? DEFAULT_LOCAL_TEMPLATES_DIR, force === true, out, io);
    });
}

const HELP = `
Templates in ./ticket-hooks/ are picked up automatically by every command.

--receiver writes a receiver for your app to start from (${RECEIVER_KINDS.join(", ")}): it
reads the secret from WEBHOOK_SECRET, verifies the signature over the raw body, answers fast and
skips retried events. The README shows the same receivers; each passes every check case.

Examples:
  $ ticket-hooks init
  $ ticket-hooks init ./webhooks/templates --force
  $ ticket-hooks init --receiver express`;

/** The four templates copied into `dir`, unless one would be overwritten without --force. */
function copyTemplates(dir: string, force: boolean, out: Output, io: CliIo): void {
  const target = resolve(io.cwd, dir);
  const plan = EVENTS.map((event) => ({
    from: join(BUNDLED_TEMPLATES_DIR, templateFileName(event)),
    to: join(target, templateFileName(event)),
  }));
  ensureFolder(dir, target);
  const existing = plan.filter((p) => existsSync(p.to));
  if (existing.length > 0 && !force) {
    throw new TicketHooksError(
      "WOULD_OVERWRITE",
      `${existing.length} template(s) already exist in ${target}: ${existing.map((p) => p.to.slice(target.length + 1)).join(", ")}`,
      { hint: "Nothing was written. Use --force to overwrite them." },
    );
  }
  try {
    for (const { from, to } of plan) copyFileSync(from, to);
  } catch (error) {
    throw new TicketHooksError(
      "WRITE_FAILED",
      `cannot write to ${target}: ${describeFsError(error)}`,
    );
  }
  for (const { to } of plan) {
    if (out.json) out.record({ file: to, overwritten: existing.some((p) => p.to === to) });
    else out.line(to);
  }
  out.note(
    `Copied ${plan.length} templates to ${target}. Edit them; placeholders: {{uuid}}, {{now}}, {{event_id}}, {{env.NAME}}.`,
  );
}

/** An example receiver written into `dir`, then how to install, run and check it. */
function writeReceiver(
  kind: string,
  given: string | undefined,
  force: boolean,
  out: Output,
  io: CliIo,
): void {
  const example = RECEIVER_EXAMPLES.find((r) => r.kind === kind) as ReceiverExample;
  const dir = given ?? example.dir ?? ".";
  const target = resolve(io.cwd, dir);
  ensureFolder(dir, target);
  const to = join(target, example.file);
  const existed = existsSync(to);
  if (existed && !force) {
    throw new TicketHooksError("WOULD_OVERWRITE", `${to} already exists`, {
      hint: "Nothing was written. Use --force to overwrite it, or give another folder.",
    });
  }
  try {
    copyFileSync(join(RECEIVERS_DIR, example.source), to);
  } catch (error) {
    throw new TicketHooksError("WRITE_FAILED", `cannot write ${to}: ${describeFsError(error)}`);
  }
  if (out.json) out.record({ file: to, overwritten: existed, receiver: kind });
  else out.line(to);
  // Steps to paste from here: the file by its path from this folder.
  const path = relative(io.cwd, to) || example.file;
  const steps = [
    example.install,
    `WEBHOOK_SECRET="$TICKET_HOOKS_SECRET" ${example.run.replace("FILE", path)}`,
    'npx ticket-hooks check --to http://127.0.0.1:3000/webhooks --secret "$TICKET_HOOKS_SECRET"',
    'npx ticket-hooks doctor --to http://127.0.0.1:3000/webhooks --secret "$TICKET_HOOKS_SECRET"   # when a valid event is refused',
  ].filter((step) => step !== null);
  out.note(
    `Wrote the ${kind} receiver. With your endpoint's secret in TICKET_HOOKS_SECRET, start it (in another terminal), then check it:`,
  );
  for (const step of steps) out.note(`  ${step}`);
}
