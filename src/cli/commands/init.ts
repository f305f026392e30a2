import { copyFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
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
import { outputFor } from "../output.js";

export function initCommand(io: CliIo): Command {
  return new Command("init")
    .description("copy the four templates into a folder for editing")
    .argument("[dir]", "destination folder", DEFAULT_LOCAL_TEMPLATES_DIR)
    .option("-f, --force", "overwrite templates that already exist")
    .addOption(jsonOption())
    .addHelpText(
      "after",
      `
Templates in ./ticket-hooks/ are picked up automatically by every command.

Examples:
  $ ticket-hooks init
  $ ticket-hooks init ./webhooks/templates --force`,
    )
    .action(function (this: Command, dir: string) {
      const out = outputFor(this, io);
      const force = this.opts<{ force?: boolean }>().force === true;
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
    });
}
